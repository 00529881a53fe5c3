// POST /v1/headshots refusals and the job life around it, with a scripted engine so each case is
// deterministic: every refusal leaves the balance and the jobs table as they were; failures and
// cancels refund once; users only ever see their own jobs.
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody, JobListResponse, JobResponse } from "@headshot/shared";
import { users } from "../../src/db/schema";
import { EngineError } from "../../src/engine/types";
import { createHarness, type Harness, type TestUser } from "../support/harness";
import { scriptedEngine } from "../support/engines";
import { balance, consentingUser, fixture, getJob, jobCount, photoForm, upload } from "./helpers";

let h: Harness;
let engine: ReturnType<typeof scriptedEngine>;
const photo = fixture("one_face_sample1_crop.jpg");
const UNCAPPED = { UPLOADS_PER_USER: "100", UPLOADS_IN_FLIGHT: "100" };

beforeAll(async () => {
  engine = scriptedEngine({ capacity: 1000 });
  // Bursts from one user test charging races here; the per-user upload cap has its own tests.
  h = await createHarness(
    { ...UNCAPPED, RATE_LIMITS: "generation=1000/min,privacy=1000/min" },
    { engine: engine.engine },
  );
});
afterAll(() => h?.close());

async function expectRefusal(res: Response, status: number, code: string, reason?: string) {
  const body = ErrorBody.parse(await res.json());
  expect([res.status, body.error.code]).toEqual([status, code]);
  if (reason) expect(body.error.reason).toBe(reason);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body;
}

/** The photo's form, changed by `edit`, as the request body. */
function uploadForm(user: TestUser, edit: (form: FormData) => void): Promise<Response> {
  const form = photoForm(photo);
  edit(form);
  return Promise.resolve(
    h.app.request("/v1/headshots", { method: "POST", headers: user.headers, body: form }),
  );
}

async function pngOf(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: "#808080" } })
    .png()
    .toBuffer();
}

describe("refusals leave nothing behind", () => {
  const cases: [string, (u: TestUser) => Promise<Response>, number, string, string?][] = [
    [
      "an upload over MAX_UPLOAD_MB, streamed without a length",
      (u) => {
        const boundary = "----hs-test";
        const head = `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode(head));
            sent += 1;
            if (sent > 40) return controller.close(); // 40 MB if nobody stops reading
            controller.enqueue(new Uint8Array(1024 * 1024).fill(0xff));
          },
        });
        return Promise.resolve(
          h.app.request("/v1/headshots", {
            method: "POST",
            headers: { ...u.headers, "Content-Type": `multipart/form-data; boundary=${boundary}` },
            body,
            duplex: "half",
          } as RequestInit),
        );
      },
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    [
      "a declared length over the limit",
      (u) =>
        Promise.resolve(
          h.app.request("/v1/headshots", {
            method: "POST",
            headers: {
              ...u.headers,
              "Content-Type": "multipart/form-data; boundary=x",
              "Content-Length": "99999999",
            },
            body: "--x--",
          }),
        ),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    [
      "a text file named .jpg",
      (u) => upload(h, u, new TextEncoder().encode("hello, not an image".repeat(50))),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "a GIF",
      async (u) =>
        upload(
          h,
          u,
          await sharp({ create: { width: 500, height: 500, channels: 3, background: "#000" } })
            .gif()
            .toBuffer(),
        ),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "a JPEG whose body is garbage",
      (u) => upload(h, u, Buffer.concat([photo.subarray(0, 4), Buffer.alloc(5000, 7)])),
      422,
      "UNPROCESSABLE",
      "CORRUPT_IMAGE",
    ],
    [
      "a photo under 400 px on its short side",
      async (u) => upload(h, u, await pngOf(800, 399)),
      422,
      "UNPROCESSABLE",
      "LOW_RESOLUTION",
    ],
    [
      "a decompression bomb over 50 MP",
      async (u) => upload(h, u, await pngOf(10_000, 5_100)),
      422,
      "UNPROCESSABLE",
      "TOO_MANY_PIXELS",
    ],
    [
      "no photo field",
      (u) =>
        Promise.resolve(
          h.app.request("/v1/headshots", { method: "POST", headers: u.headers, body: new FormData() }),
        ),
      400,
      "BAD_REQUEST",
    ],
    [
      "two photos",
      (u) => uploadForm(u, (f) => f.append("photo", new Blob([photo]), "b.jpg")),
      400,
      "BAD_REQUEST",
    ],
    [
      "a file in another field",
      (u) => uploadForm(u, (f) => f.set("extra", new Blob([photo]), "b.jpg")),
      400,
      "BAD_REQUEST",
    ],
    [
      "more than twelve fields",
      (u) => uploadForm(u, (f) => Array.from({ length: 13 }, () => f.append("styles", "studio-grey"))),
      400,
      "BAD_REQUEST",
    ],
    ["a field over 512 bytes", (u) => upload(h, u, photo, { styles: "x".repeat(513) }), 400, "BAD_REQUEST"],
    ["an unknown style", (u) => upload(h, u, photo, { styles: "studio-grey,disco" }), 400, "BAD_REQUEST"],
    ["an unknown aspect", (u) => upload(h, u, photo, { aspects: "16:9" }), 400, "BAD_REQUEST"],
    ["a JSON body", (u) => h.json("POST", "/v1/headshots", { photo: "x" }, u.headers), 400, "BAD_REQUEST"],
  ];

  it.each(cases)("refuses %s", async (_name, send, status, code, reason) => {
    const user = await consentingUser(h);
    await expectRefusal(await send(user), status, code, reason);
    expect(await balance(h, user)).toBe(3);
    expect(await jobCount(h, user)).toBe(0);
  });

  it("requires consent and age confirmation first", async () => {
    const user = await h.user();
    await expectRefusal(await upload(h, user, photo), 403, "CONSENT_REQUIRED");
    expect(await balance(h, user)).toBe(3);
    expect(await jobCount(h, user)).toBe(0);
  });

  it("refuses a restricted user", async () => {
    const user = await consentingUser(h);
    await h.services.db
      .update(users)
      .set({ restrictedAt: new Date() })
      .where(eq(users.canvaUserId, user.userId));
    await expectRefusal(await upload(h, user, photo), 403, "FORBIDDEN", "RESTRICTED");
    expect(await jobCount(h, user)).toBe(0);
  });

  it("refuses with 402 when no credit is left, charging nothing", async () => {
    const user = await consentingUser(h);
    for (let i = 0; i < 3; i++) expect((await upload(h, user, photo)).status).toBe(202);
    await expectRefusal(await upload(h, user, photo), 402, "INSUFFICIENT_CREDITS");
    expect(await balance(h, user)).toBe(0);
    expect(await jobCount(h, user)).toBe(3);
  });

  it("charges only the requests that got a place when a burst meets a full engine", async () => {
    const busy = scriptedEngine({ capacity: 2 });
    const full = await createHarness({ ...UNCAPPED, FREE_CREDITS: "10" }, { engine: busy.engine });
    try {
      const user = await consentingUser(full);
      const results = await Promise.all(Array.from({ length: 8 }, () => upload(full, user, photo)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([202, 202, 503, 503, 503, 503, 503, 503]);
      expect(await balance(full, user)).toBe(8);
    } finally {
      await full.close();
    }
  });

  it("answers 503 OVERLOADED with Retry-After when the engine queue is full, charging nothing", async () => {
    const busy = scriptedEngine({ capacity: 1 });
    const full = await createHarness({}, { engine: busy.engine });
    try {
      const user = await consentingUser(full);
      expect((await upload(full, user, photo)).status).toBe(202);
      await busy.waitForJobs(1);
      const res = await upload(full, user, photo);
      await expectRefusal(res, 503, "OVERLOADED");
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(await balance(full, user)).toBe(2);
      busy.release();
    } finally {
      await full.close();
    }
  });
});

describe("concurrency", () => {
  it("accepts exactly three of twenty concurrent requests from a user with three credits", async () => {
    const user = await consentingUser(h);
    const results = await Promise.all(Array.from({ length: 20 }, () => upload(h, user, photo)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 402)).toHaveLength(17);
    expect(await balance(h, user)).toBe(0);
    expect(await jobCount(h, user)).toBe(3);
  });

  it("creates one job and one charge for five concurrent requests with the same Idempotency-Key", async () => {
    const user = await consentingUser(h);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => upload(h, user, photo, {}, { "Idempotency-Key": "same-key-1" })),
    );
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = await Promise.all(results.map(async (r) => JobResponse.parse(await r.json()).job.id));
    expect(new Set(ids).size).toBe(1);
    expect(await balance(h, user)).toBe(2);
    expect(await jobCount(h, user)).toBe(1);
    // And later, sequentially, still the same job.
    const again = await upload(h, user, photo, {}, { "Idempotency-Key": "same-key-1" });
    expect(JobResponse.parse(await again.json()).job.id).toBe(ids[0]);
    expect(await balance(h, user)).toBe(2);
  });

  it("scopes Idempotency-Keys to the user", async () => {
    const a = await consentingUser(h);
    const b = await consentingUser(h);
    const ja = JobResponse.parse(
      await (await upload(h, a, photo, {}, { "Idempotency-Key": "k" })).json(),
    ).job;
    const jb = JobResponse.parse(
      await (await upload(h, b, photo, {}, { "Idempotency-Key": "k" })).json(),
    ).job;
    expect(ja.id).not.toBe(jb.id);
  });

  it("honours an Idempotency-Key for 24 hours only", async () => {
    const user = await consentingUser(h);
    const first = JobResponse.parse(
      await (await upload(h, user, photo, {}, { "Idempotency-Key": "day" })).json(),
    ).job;
    h.clock.advance(24 * 60 * 60 * 1000 + 1000);
    try {
      const user2 = { ...user, ...(await h.user({ userId: user.userId, brandId: user.brandId })) };
      const second = JobResponse.parse(
        await (await upload(h, user2, photo, {}, { "Idempotency-Key": "day" })).json(),
      ).job;
      expect(second.id).not.toBe(first.id);
    } finally {
      h.clock.advance(-(24 * 60 * 60 * 1000 + 1000));
    }
  });
});

describe("job life", () => {
  async function startJob(user: TestUser) {
    const res = await upload(h, user, photo, { styles: "studio-grey,classic-bw", aspects: "1:1" });
    expect(res.status).toBe(202);
    const job = JobResponse.parse(await res.json()).job;
    await engine.waitForJobs(engine.started.length); // reached the engine
    return job;
  }

  async function until(user: TestUser, id: string, status: string) {
    for (let i = 0; i < 200; i++) {
      const job = await getJob(h, user, id);
      if (job.status === status) return job;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`job never became ${status}`);
  }

  it("writes stages as progress, then stores the outputs", async () => {
    const user = await consentingUser(h);
    const job = await startJob(user);
    const during = await until(user, job.id, "processing");
    expect(during.stage).toBe("detecting");
    expect(during.progress).toBeGreaterThan(0);
    engine.release("succeed");
    const done = await until(user, job.id, "succeeded");
    expect(done.outputs.map((o) => [o.style, o.width, o.height])).toEqual(
      expect.arrayContaining([
        ["studio-grey", 1024, 1024],
        ["classic-bw", 1024, 1024],
      ]),
    );
  });

  it("turns an engine error into the job's error and refunds once", async () => {
    const user = await consentingUser(h);
    const job = await startJob(user);
    expect(await balance(h, user)).toBe(2);
    engine.release(new EngineError("MULTIPLE_FACES"));
    const failed = await until(user, job.id, "failed");
    expect(failed.error).toMatchObject({ code: "UNPROCESSABLE", reason: "MULTIPLE_FACES" });
    expect(failed.error!.message).toMatch(/more than one person/);
    expect(await balance(h, user)).toBe(3);
  });

  it("fails a photo cropped too close for any frame as the user's to fix, saying what works, refunded", async () => {
    const user = await consentingUser(h);
    const job = await startJob(user);
    expect(await balance(h, user)).toBe(2);
    engine.release(new EngineError("SUBJECT_CROPPED", "chin on the bottom edge"));
    await until(user, job.id, "failed");
    const res = await h.app.request(`/v1/headshots/${job.id}`, { headers: user.headers });
    expect(res.status).toBe(200);
    const { error } = JobResponse.parse(await res.json()).job;
    expect(error).toEqual({
      code: "UNPROCESSABLE",
      reason: "SUBJECT_CROPPED",
      message: expect.stringMatching(/photo that shows your head and shoulders/),
    });
    expect(error!.message).not.toMatch(/chin/); // the developer detail stays in the logs
    expect(await balance(h, user)).toBe(3);
  });

  it("cancels a running job: the engine stops, the credit comes back, cancelling again changes nothing", async () => {
    const user = await consentingUser(h);
    const job = await startJob(user);
    const res = await h.app.request(`/v1/headshots/${job.id}/cancel`, {
      method: "POST",
      headers: user.headers,
    });
    expect(res.status).toBe(200);
    expect(JobResponse.parse(await res.json()).job.status).toBe("canceled");
    expect(await balance(h, user)).toBe(3);
    const again = await h.app.request(`/v1/headshots/${job.id}/cancel`, {
      method: "POST",
      headers: user.headers,
    });
    expect(JobResponse.parse(await again.json()).job.status).toBe("canceled");
    expect(await balance(h, user)).toBe(3);
  });

  it("cancels a still-running job when its outputs are deleted, so nothing appears afterwards", async () => {
    const user = await consentingUser(h);
    const job = await startJob(user);
    const res = await h.app.request(`/v1/headshots/${job.id}`, { method: "DELETE", headers: user.headers });
    expect(res.status).toBe(204);
    const after = await getJob(h, user, job.id);
    expect(after.status).toBe("canceled");
    expect(after.outputs).toEqual([]);
    expect(await balance(h, user)).toBe(3);
  });

  it("deletes a job's outputs and their files now", async () => {
    const user = await consentingUser(h);
    const job = await startJob(user);
    engine.release("succeed");
    const done = await until(user, job.id, "succeeded");
    const url = new URL(done.outputs[0]!.url).pathname;
    expect((await h.app.request(url)).status).toBe(200);
    const res = await h.app.request(`/v1/headshots/${job.id}`, { method: "DELETE", headers: user.headers });
    expect(res.status).toBe(204);
    expect((await h.app.request(url)).status).toBe(404);
    expect(await h.services.storage.list(`outputs/`)).not.toEqual(
      expect.arrayContaining([expect.stringContaining(job.id)]),
    );
    expect((await getJob(h, user, job.id)).outputs).toEqual([]);
  });

  it("lists unexpired history newest first, paginated", async () => {
    const user = await consentingUser(h);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(1000);
      const job = await startJob(user);
      engine.release("succeed");
      await until(user, job.id, "succeeded");
      ids.unshift(job.id);
    }
    const page1 = JobListResponse.parse(
      await (await h.app.request("/v1/headshots?limit=2", { headers: user.headers })).json(),
    );
    expect(page1.jobs.map((j) => j.id)).toEqual(ids.slice(0, 2));
    const page2 = JobListResponse.parse(
      await (
        await h.app.request(`/v1/headshots?limit=2&cursor=${page1.nextCursor}`, { headers: user.headers })
      ).json(),
    );
    expect(page2.jobs.map((j) => j.id)).toEqual(ids.slice(2));
    expect(page2.nextCursor).toBeNull();

    h.clock.advance(31 * 24 * 60 * 60 * 1000);
    try {
      const again = await h.user({ userId: user.userId, brandId: user.brandId }); // a fresh token
      const later = JobListResponse.parse(
        await (await h.app.request("/v1/headshots", { headers: again.headers })).json(),
      );
      expect(later.jobs).toEqual([]);
    } finally {
      h.clock.advance(-31 * 24 * 60 * 60 * 1000);
    }
  });
});

describe("isolation", () => {
  it("answers 404 for another user's job on every route, and for the same user id in another brand", async () => {
    const owner = await consentingUser(h, { userId: "iso-user", brandId: "brand-1" });
    const res = await upload(h, owner, photo, { styles: "studio-grey", aspects: "1:1" });
    const job = JobResponse.parse(await res.json()).job;
    engine.release("succeed");
    for (const intruder of [
      await consentingUser(h),
      await consentingUser(h, { userId: "iso-user", brandId: "brand-2" }),
    ]) {
      for (const [method, path] of [
        ["GET", `/v1/headshots/${job.id}`],
        ["POST", `/v1/headshots/${job.id}/cancel`],
        ["DELETE", `/v1/headshots/${job.id}`],
      ] as const) {
        const r = await h.app.request(path, { method, headers: intruder.headers });
        expect(r.status, `${method} ${path}`).toBe(404);
      }
      const list = JobListResponse.parse(
        await (await h.app.request("/v1/headshots", { headers: intruder.headers })).json(),
      );
      expect(list.jobs).toEqual([]);
    }
    expect((await getJob(h, owner, job.id)).id).toBe(job.id);
  });

  it("answers 404 for malformed ids", async () => {
    const user = await consentingUser(h);
    expect((await h.app.request("/v1/headshots/not-a-uuid", { headers: user.headers })).status).toBe(404);
  });
});

describe("/files tokens", () => {
  it("answers a tampered, forged or expired token with 404", async () => {
    const user = await consentingUser(h);
    const res = await upload(h, user, photo, { styles: "studio-grey", aspects: "1:1" });
    const job = JobResponse.parse(await res.json()).job;
    engine.release("succeed");
    let done;
    for (let i = 0; i < 200 && done?.status !== "succeeded"; i++) {
      done = await getJob(h, user, job.id);
      await new Promise((r) => setTimeout(r, 20));
    }
    const token = new URL(done!.outputs[0]!.url).pathname.split("/").pop()!;
    const [id, variant, exp, sig] = token.split(".");
    const variants = [
      `${id}.${variant}.${exp}.${sig!.slice(0, -2)}AA`,
      `${id}.t.${exp}.${sig}`,
      `${id}.${variant}.${(parseInt(exp!, 36) + 10_000).toString(36)}.${sig}`,
      `00000000-0000-0000-0000-000000000000.${variant}.${exp}.${sig}`,
      "garbage",
      "../../etc/passwd",
    ];
    for (const bad of variants) expect((await h.app.request(`/files/${bad}`)).status, bad).toBe(404);
    expect((await h.app.request(`/files/${token}`)).status).toBe(200);
    h.clock.advance(2 * 3600 * 1000);
    try {
      expect((await h.app.request(`/files/${token}`)).status).toBe(404);
    } finally {
      h.clock.advance(-2 * 3600 * 1000);
    }
  });
});
