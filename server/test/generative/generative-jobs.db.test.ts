// AI studio end to end against the local fake of each deployment (SPEC §7.3): a real app served
// over HTTP (the fake calls it back), a real database, the real studio engine checking the photo.
import { createServer } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { count, eq } from "drizzle-orm";
import sharp from "sharp";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { MeResponse, STYLE_IDS, type Job } from "@headshot/shared";
import { engineDeliveries, outputs, predictions } from "../../src/db/schema";
import { switchToStudio } from "../../src/generative/fallback";
import { reconcileOnce } from "../../src/generative/reconciler";
import { databaseNow, heartbeat, HEARTBEAT_INTERVAL_MS } from "../../src/jobs/instances";
import {
  startFakeGpu,
  type FakeGpu,
  type FakeGpuKind,
  type FakeGpuOptions,
} from "../../../test-support/fake-gpu";
import { createHarness, type Harness, type TestUser } from "../support/harness";
import { balance, consentingUser, fixture, getJob, upload, waitForEnd } from "../jobs/helpers";

const PHOTO = fixture("one_face_sample1_crop.jpg");
const FREE = 10;

interface Setup {
  h: Harness;
  gpu: FakeGpu;
  user: TestUser;
  server: ServerType;
  beating: NodeJS.Timeout;
}
const open: Setup[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    clearInterval(s.beating);
    await s.gpu.stop();
    await new Promise((r) => s.server.close(r));
    await s.h.close();
  }
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

async function setup(
  kind: FakeGpuKind,
  opts: { env?: Record<string, string>; gpu?: Partial<FakeGpuOptions> } = {},
): Promise<Setup> {
  const gpu = await startFakeGpu({ kind, startMs: 10, runMs: 60, ...opts.gpu });
  const port = await freePort();
  const h = await createHarness(
    {
      ENGINES: "studio,generative",
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      FREE_CREDITS: String(FREE),
      RATE_LIMITS: "generation=1000/min",
      ...gpu.env,
      ...opts.env,
    },
    { services: { sendEveryMs: 50 } },
  );
  const server = serve({ fetch: h.app.fetch, port, hostname: "127.0.0.1" });
  // This instance is alive, beating as its keeper would (SILENCE_LIMIT_MS is real database time,
  // which a slow run can pass): its pending styles stay its own to send.
  const beat = async () => heartbeat(h.services.db, h.services.instanceId, await databaseNow(h.services.db));
  await beat();
  const beating = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  const user = await consentingUser(h);
  const s = { h, gpu, user, server, beating };
  open.push(s);
  return s;
}

async function generate(s: Setup, fields: Record<string, string> = {}): Promise<Job> {
  const res = await upload(s.h, s.user, PHOTO, { engine: "generative", ...fields });
  expect(res.status).toBe(202);
  return ((await res.json()) as { job: Job }).job;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const creates = (gpu: FakeGpu) =>
  gpu.requests.filter(
    (r) => r.method === (gpu.kind === "cog" ? "PUT" : "POST") && !r.path.includes("cancel"),
  );

describe.each<FakeGpuKind>(["replicate", "cog"])("AI studio on %s", (kind) => {
  it("makes one prediction per style, stores 4:5 and 1:1 outputs, charges GENERATIVE_CREDITS and sends nothing that identifies the user", async () => {
    const s = await setup(kind, { gpu: { capacity: 6 } });
    const me = MeResponse.parse(await (await s.h.app.request("/v1/me", { headers: s.user.headers })).json());
    expect(me.engines).toEqual([
      { id: "studio", credits: 1, typicalSeconds: 5, processedBy: "our_servers" },
      {
        id: "generative",
        credits: 3,
        typicalSeconds: 60,
        processedBy: kind === "cog" ? "our_servers" : "gpu_provider",
      },
    ]);
    const started = await generate(s, { attire: "smart_casual" });
    expect(started).toMatchObject({ engine: "generative", attire: "smart_casual", missing: [] });
    expect(await balance(s.h, s.user)).toBe(FREE - 3);

    const job = await waitForEnd(s.h, s.user, started.id, 30_000);
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(12);
    for (const style of STYLE_IDS) {
      const mine = job.outputs.filter((o) => o.style === style);
      expect(mine.map((o) => `${o.aspect} ${o.width}x${o.height}`).sort()).toEqual([
        "1:1 1024x1024",
        "4:5 1024x1280",
      ]);
    }
    expect(await balance(s.h, s.user)).toBe(FREE - 3);

    const sent = creates(s.gpu);
    expect(sent).toHaveLength(6);
    const prompts = sent.map((r) => (r.body as { input: { prompt: string } }).input.prompt);
    expect(new Set(prompts).size).toBe(6);
    expect(prompts.every((p) => p.includes("smart casual"))).toBe(true);
    // Nothing that names the user: not in any body, path or header the fake received.
    const everything = JSON.stringify(s.gpu.requests);
    for (const secret of [s.user.userId, s.user.brandId, s.user.token])
      expect(everything).not.toContain(secret);
    const image = (sent[0]!.body as { input: { input_image: string } }).input.input_image;
    expect(image.startsWith("data:image/jpeg;base64,")).toBe(true);
    const meta = await sharp(Buffer.from(image.split(",")[1]!, "base64")).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1536);
    expect(meta.exif).toBeUndefined();

    // No log line carries the user, their token or the photo; the metrics count the predictions.
    for (const secret of [s.user.userId, s.user.token, "data:image", "base64"])
      expect(s.h.logs()).not.toContain(secret);
    const metrics = await s.h.services.metrics.registry.metrics();
    expect(metrics).toContain(
      `headshot_predictions_total{provider="${kind}",outcome="succeeded",reason=""} 6`,
    );
    expect(metrics).toContain(`headshot_engine_callbacks_total{outcome="applied"} 6`);

    // The export says which engine made the job (SPEC §7.3 Privacy).
    const exported = (await (await s.h.app.request("/v1/me/export", { headers: s.user.headers })).json()) as {
      jobs: { id: string; engine: string; attire: string | null }[];
    };
    expect(exported.jobs).toEqual([
      expect.objectContaining({ id: job.id, engine: "generative", attire: "smart_casual" }),
    ]);
  });

  it("still serves the outputs after the provider deleted its copies", async () => {
    const s = await setup(kind, { gpu: { capacity: 6 } });
    const job = await waitForEnd(s.h, s.user, (await generate(s, { styles: "studio-grey" })).id, 30_000);
    expect(job.status).toBe("succeeded");
    s.gpu.deleteOutputs();
    for (const o of job.outputs) {
      const res = await s.h.app.request(new URL(o.url).pathname);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    }
  });

  it("retries a failing style once, then lists it as missing", async () => {
    const s = await setup(kind, { gpu: { capacity: 6, failWhenPromptIncludes: ["black and white"] } });
    const job = await waitForEnd(s.h, s.user, (await generate(s)).id, 30_000);
    expect(job.status).toBe("succeeded");
    expect(job.missing).toEqual([{ style: "classic-bw", reason: "UNSAFE_CONTENT" }]);
    expect(job.outputs.map((o) => o.style)).not.toContain("classic-bw");
    expect(job.outputs).toHaveLength(10);
    const bw = creates(s.gpu).filter((r) => JSON.stringify(r.body).includes("black and white"));
    expect(bw).toHaveLength(2);
    expect(await balance(s.h, s.user)).toBe(FREE - 3);
  });

  it("fails and refunds in full when fewer than half of the styles come back", async () => {
    const failing = ["mid-grey", "white studio", "charcoal", "black and white"];
    const s = await setup(kind, { gpu: { capacity: 6, failWhenPromptIncludes: failing } });
    const job = await waitForEnd(s.h, s.user, (await generate(s)).id, 30_000);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "UNAVAILABLE", reason: "TOO_FEW_STYLES" });
    expect(job.outputs).toEqual([]);
    expect(await balance(s.h, s.user)).toBe(FREE);
    const [left] = await s.h.services.db
      .select({ n: count() })
      .from(outputs)
      .where(eq(outputs.jobId, job.id));
    expect(left!.n).toBe(0);
  });

  it("cancels every open prediction at the provider and gives the credits back", async () => {
    const s = await setup(kind, { gpu: { capacity: 6, runMs: 20_000 } });
    const started = await generate(s);
    await until("six predictions at the fake", () => creates(s.gpu).length === 6);
    const res = await s.h.app.request(`/v1/headshots/${started.id}/cancel`, {
      method: "POST",
      headers: s.user.headers,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { job: Job }).job.status).toBe("canceled");
    await until("six cancels at the fake", () => s.gpu.canceled.length === 6);
    expect(new Set(s.gpu.canceled).size).toBe(6);
    expect(await balance(s.h, s.user)).toBe(FREE);
  });

  it("DELETE /v1/me while AI studio runs stops its predictions at the provider and drops the photo", async () => {
    const s = await setup(kind, { gpu: { capacity: 6, runMs: 20_000 } });
    await generate(s);
    await until("six predictions at the fake", () => creates(s.gpu).length === 6);
    expect(s.h.services.generative!.inFlight()).toBe(1);
    const res = await s.h.app.request("/v1/me", { method: "DELETE", headers: s.user.headers });
    expect(res.status).toBe(200);
    await until("six cancels at the fake", () => s.gpu.canceled.length === 6);
    expect(new Set(s.gpu.canceled).size).toBe(6);
    await until("the photo dropped", () => s.h.services.generative!.inFlight() === 0);
  });

  it("falls back to the studio engine when the provider can't be reached, refunding the difference", async () => {
    const s = await setup(kind, { env: { ENGINE_FALLBACK: "studio" }, gpu: { unavailable: true } });
    const job = await waitForEnd(s.h, s.user, (await generate(s)).id, 90_000);
    expect(job).toMatchObject({ status: "succeeded", engine: "studio" });
    expect(job.outputs).toHaveLength(12);
    expect(await balance(s.h, s.user)).toBe(FREE - 1);
  });

  it("switches a job to the studio engine once, however many of its styles ask", async () => {
    const s = await setup(kind, { gpu: { capacity: 6, runMs: 20_000 } });
    const { id } = await generate(s);
    await until("six predictions at the fake", () => creates(s.gpu).length === 6);
    const db = s.h.services.db;
    const [first, second] = await Promise.all([switchToStudio(db, id), switchToStudio(db, id)]);
    expect([first?.engine, second?.engine].sort()).toEqual(["studio", undefined]);
    expect(await switchToStudio(db, id)).toBeUndefined();
    expect(await balance(s.h, s.user)).toBe(FREE - 1);
  });

  it("fails refunded when the provider can't be reached and there is no fallback", async () => {
    const s = await setup(kind, { gpu: { unavailable: true } });
    const job = await waitForEnd(s.h, s.user, (await generate(s)).id, 30_000);
    expect(job).toMatchObject({ status: "failed", engine: "generative" });
    expect(job.error?.reason).toBe("ENGINE_UNAVAILABLE");
    expect(await balance(s.h, s.user)).toBe(FREE);
  });

  it("keeps a terminal state final when a stale callback arrives after it", async () => {
    const s = await setup(kind, { gpu: { capacity: 6, staleAfterCompleted: true } });
    const job = await waitForEnd(s.h, s.user, (await generate(s, { styles: "studio-grey" })).id, 30_000);
    await s.gpu.settled();
    const stale = s.gpu.callbacks.filter((c) => c.status === "processing");
    expect(stale.length).toBe(1);
    expect(stale[0]!.responseStatus).toBe(200); // acknowledged, and nothing changes
    expect(await getJob(s.h, s.user, job.id)).toMatchObject({ status: "succeeded", outputs: job.outputs });
    const [row] = await s.h.services.db.select().from(predictions).where(eq(predictions.jobId, job.id));
    expect(row!.status).toBe("succeeded");
  });

  it("applies ten concurrent copies of each callback once", async () => {
    const s = await setup(kind, {
      gpu: { capacity: 6, callbackCopies: 10, concurrentCopies: true, callbackRetries: 0 },
    });
    const job = await waitForEnd(s.h, s.user, (await generate(s)).id, 30_000);
    expect(job.status).toBe("succeeded");
    await s.gpu.settled();
    const db = s.h.services.db;
    const [rows] = await db.select({ n: count() }).from(outputs).where(eq(outputs.jobId, job.id));
    expect(rows!.n).toBe(12);
    const applied = s.gpu.callbacks.filter((c) => c.responseStatus === 200 && c.status === "succeeded");
    expect(applied).toHaveLength(6);
    expect(s.gpu.callbacks.filter((c) => c.responseStatus === 400)).toHaveLength(54);
    expect(await balance(s.h, s.user)).toBe(FREE - 3);
  });
});

describe("AI studio when the provider pushes back", () => {
  // Waits are kept on the services' clock, the harness's manual one: let it run in real time.
  let running: NodeJS.Timeout | undefined;
  const runClock = (s: Setup) => {
    running = setInterval(() => s.h.clock.advance(50), 50);
  };
  afterEach(() => clearInterval(running));

  it("waits out Replicate's 429 as the answer says, then finishes", async () => {
    const s = await setup("replicate", { gpu: { rateLimitedCreates: 2, rateLimitResetS: 1 } });
    runClock(s);
    const job = await waitForEnd(
      s.h,
      s.user,
      (await generate(s, { styles: "studio-grey,warm-beige" })).id,
      30_000,
    );
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(4);
    expect(creates(s.gpu)).toHaveLength(4); // two refused with 429, then both styles
  });

  it("sends a Cog container one prediction at a time, retrying after its 409", async () => {
    const s = await setup("cog", { gpu: { capacity: 1 } });
    runClock(s);
    const job = await waitForEnd(
      s.h,
      s.user,
      (await generate(s, { styles: "studio-grey,warm-beige,classic-bw" })).id,
      60_000,
    );
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(6);
    expect(creates(s.gpu).length).toBeGreaterThan(3); // some answered 409 "At capacity"
  });
});

describe("AI studio callbacks that don't verify", () => {
  it("answers 400 to a forged, a stale and a replayed Replicate signature and applies nothing", async () => {
    const s = await setup("replicate", { gpu: { capacity: 6 } });
    const job = await waitForEnd(s.h, s.user, (await generate(s, { styles: "studio-grey" })).id, 30_000);
    expect(job.status).toBe("succeeded");
    const delivered = s.gpu.callbacks.find((c) => c.responseStatus === 200)!;
    const path = new URL(delivered.url);
    const post = (headers: Record<string, string>, body: string) =>
      s.h.app.request(`${path.pathname}${path.search}`, { method: "POST", headers, body });
    const before = await s.h.services.db.select().from(engineDeliveries);

    // Replayed: the very request that was applied.
    expect((await post(delivered.headers, delivered.body)).status).toBe(400);
    // Forged: the body changed under the signature.
    const forged = delivered.body.replace('"succeeded"', '"failed"');
    expect((await post(delivered.headers, forged)).status).toBe(400);
    // Stale: signed correctly, six minutes ago.
    const wh = new Webhook(s.gpu.webhookSecret);
    const old = new Date(Date.now() - 6 * 60_000);
    const id = "msg_stale_test";
    const stale = {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(old.getTime() / 1000)),
      "webhook-signature": wh.sign(id, old, delivered.body),
    };
    expect((await post(stale, delivered.body)).status).toBe(400);
    // Unsigned.
    expect((await post({ "content-type": "application/json" }, delivered.body)).status).toBe(400);

    expect(await s.h.services.db.select().from(engineDeliveries)).toEqual(before);
    expect(await getJob(s.h, s.user, job.id)).toMatchObject({
      status: "succeeded",
      outputs: job.outputs.map((o) => ({ id: o.id })),
    });
  });

  it("answers 400 to a Cog callback without the bearer token", async () => {
    const s = await setup("cog", { gpu: { capacity: 6, runMs: 20_000 } });
    const started = await generate(s, { styles: "studio-grey" });
    await until("the prediction at the fake", () => creates(s.gpu).length === 1);
    const [p] = await s.h.services.db.select().from(predictions).where(eq(predictions.jobId, started.id));
    const body = JSON.stringify({
      id: p!.attemptId,
      status: "succeeded",
      output: ["data:image/jpeg;base64,AAAA"],
    });
    for (const auth of [undefined, "Bearer wrong-token-wrong-token-wrong-token-wrong"]) {
      const res = await s.h.app.request(`/webhooks/engine?attempt=${p!.attemptId}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body,
      });
      expect(res.status).toBe(400);
    }
    expect((await getJob(s.h, s.user, started.id)).status).toBe("processing");
  });
});

describe("AI studio when callbacks go missing", () => {
  it("completes a Replicate job whose callbacks were lost, through the reconciler's poll", async () => {
    const s = await setup("replicate", { gpu: { capacity: 6, dropCallbacks: Infinity } });
    const started = await generate(s);
    await until(
      "six predictions done at the fake",
      () => s.gpu.predictions().filter((p) => p.status === "succeeded").length === 6,
    );
    expect((await getJob(s.h, s.user, started.id)).status).toBe("processing");
    s.h.clock.advance(61_000);
    const pass = await reconcileOnce({
      ...s.h.services,
      engine: s.h.services.generative!,
      timeoutS: 300,
    });
    expect(pass.polled).toBe(6);
    const job = await getJob(s.h, s.user, started.id);
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(12);
    // A second pass right after polls nothing again.
    expect(
      (await reconcileOnce({ ...s.h.services, engine: s.h.services.generative!, timeoutS: 300 })).polled,
    ).toBe(0);
  });

  it("cancels and retries a Cog prediction past REMOTE_ENGINE_TIMEOUT_S, then fails the style", async () => {
    const s = await setup("cog", { gpu: { capacity: 6, dropCallbacks: Infinity } });
    const started = await generate(s, { styles: "studio-grey,warm-beige" });
    const reconcile = () =>
      reconcileOnce({ ...s.h.services, engine: s.h.services.generative!, timeoutS: 300 });
    // Both styles taken by the fake on this attempt. A retry sent while the container still
    // counts the canceled one may meet a 409 and wait 2 s on the test's clock: let it tick.
    const taken = async (attempt: number) => {
      s.h.clock.advance(100);
      const rows = await s.h.services.db.select().from(predictions).where(eq(predictions.jobId, started.id));
      return rows.every(
        (r) =>
          r.attempts === attempt &&
          r.providerId !== null && // the create was answered, not refused with a 409
          (r.status === "starting" || r.status === "processing"),
      );
    };
    for (let attempt = 1; attempt <= 2; attempt++) {
      await until(`attempt ${attempt} at the fake`, () => taken(attempt));
      s.h.clock.advance(301_000);
      expect((await reconcile()).timedOut).toBe(2);
    }
    // Ten minutes passed on the test's clock: a fresh token for the same user.
    s.user = await s.h.user({ userId: s.user.userId, brandId: s.user.brandId });
    const job = await getJob(s.h, s.user, started.id);
    expect(job.status).toBe("failed");
    expect(job.missing.map((m) => m.reason)).toEqual(["TIMEOUT", "TIMEOUT"]);
    expect(s.gpu.canceled).toHaveLength(4);
    expect(await balance(s.h, s.user)).toBe(FREE);
  });
});
