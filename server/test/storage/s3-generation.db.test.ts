// STORAGE=s3 end to end: a real generation stores its outputs in the bucket, the signed file URLs
// serve them from there, and erasing the user leaves nothing of theirs in the bucket (SPEC §9, §11).
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse, MeResponse } from "@headshot/shared";
import { createStorage } from "../../src/storage";
import { userPrefix } from "../../src/storage/storage";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { consentingUser, fixture, upload, waitForEnd } from "../jobs/helpers";
import { s3Env, startLoopbackS3, type LoopbackS3 } from "./loopback-s3";

const BUCKET = "headshot-e2e-outputs";
let s3: LoopbackS3;
let h: Harness;

beforeAll(async () => {
  s3 = await startLoopbackS3([BUCKET]);
  const s3Config = s3Env(s3, BUCKET);
  h = await createHarness(
    { ...s3Config, PUBLIC_BASE_URL: "https://api.headshot.test" },
    { storage: await createStorage({ ...s3Config, dataDir: "/nonexistent" }) },
  );
});
afterAll(async () => {
  await h?.close();
  await s3?.close();
});

describe(`outputs in an S3 bucket on ${TEST_DRIVER}`, () => {
  it("stores a generation's outputs, serves them by signed URL, and erases them with the user", async () => {
    const user = await consentingUser(h);
    const res = await upload(h, user, fixture("one_face_sample1_crop.jpg"), { aspects: "1:1" });
    expect(res.status).toBe(202);
    const job = await waitForEnd(h, user, JobResponse.parse(await res.json()).job.id);
    expect(job.status).toBe("succeeded");

    const me = MeResponse.parse(await (await h.app.request("/v1/me", { headers: user.headers })).json());
    const stored = await h.services.storage.list(userPrefix(me.user.id));
    expect(stored).toHaveLength(job.outputs.length * 2); // each image and its thumbnail
    const output = job.outputs[0]!;
    const file = await h.app.request(output.url.replace("https://api.headshot.test", ""));
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("image/jpeg");
    const meta = await sharp(new Uint8Array(await file.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([output.width, output.height]);

    expect((await h.app.request("/v1/me", { method: "DELETE", headers: user.headers })).status).toBe(200);
    expect(await h.services.storage.list(userPrefix(me.user.id))).toEqual([]);
    expect((await h.app.request(output.url.replace("https://api.headshot.test", ""))).status).toBe(404);
  });
});
