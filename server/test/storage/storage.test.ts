// The Storage contract on both implementations: local disk, and S3 through a loopback
// S3-compatible server (s3rver) — the same client code that talks to AWS, MinIO or R2.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFsStorage } from "../../src/storage/fs-storage";
import { createStorage } from "../../src/storage";
import type { Storage } from "../../src/storage/storage";
import { startLoopbackS3, type LoopbackS3 } from "./loopback-s3";

const BUCKET = "headshot-test-outputs";
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  dirs.push(dir);
  return dir;
};

let s3: LoopbackS3;
beforeAll(async () => {
  s3 = await startLoopbackS3([BUCKET]);
});
afterAll(async () => {
  await s3?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const implementations: [string, () => Storage | Promise<Storage>][] = [
  ["local disk", () => createFsStorage(tempDir("fs-storage"))],
  [
    "S3",
    () =>
      createStorage({
        STORAGE: "s3",
        dataDir: "/nonexistent",
        S3_BUCKET: BUCKET,
        S3_REGION: "us-east-1",
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: "S3RVER",
        S3_SECRET_ACCESS_KEY: "S3RVER",
      }),
  ],
];

const jpeg = (n: number) => new Uint8Array([0xff, 0xd8, 0xff, n]);

describe.each(implementations)("storage on %s", (_, make) => {
  it("stores, reads back with the content type, and answers undefined for a missing key", async () => {
    const storage = await make();
    await storage.put("outputs/u1/j1/o1.jpg", jpeg(1), "image/jpeg");
    const stored = await storage.get("outputs/u1/j1/o1.jpg");
    expect(stored?.contentType).toBe("image/jpeg");
    expect([...(stored?.data ?? [])]).toEqual([...jpeg(1)]);
    expect(await storage.get("outputs/u1/j1/missing.jpg")).toBeUndefined();
  });

  it("lists a prefix sorted, deletes keys (missing ones too), and a whole directory prefix only", async () => {
    const storage = await make();
    for (const key of [
      "outputs/ua/j1/b.jpg",
      "outputs/ua/j1/a.jpg",
      "outputs/ua/j2/c.jpg",
      "outputs/uab/j/d.jpg",
    ])
      await storage.put(key, jpeg(2), "image/jpeg");
    expect(await storage.list("outputs/ua/")).toEqual([
      "outputs/ua/j1/a.jpg",
      "outputs/ua/j1/b.jpg",
      "outputs/ua/j2/c.jpg",
    ]);

    await storage.delete(["outputs/ua/j1/a.jpg", "outputs/ua/never.jpg"]);
    expect(await storage.list("outputs/ua/")).toEqual(["outputs/ua/j1/b.jpg", "outputs/ua/j2/c.jpg"]);

    await expect(storage.deletePrefix("outputs/ua")).rejects.toThrow(/not a directory prefix/);
    await storage.deletePrefix("outputs/ua/");
    expect(await storage.list("outputs/ua/")).toEqual([]);
    expect(await storage.list("outputs/uab/")).toEqual(["outputs/uab/j/d.jpg"]);
  });

  it("refuses keys that could escape the storage root", async () => {
    const storage = await make();
    for (const key of ["../etc/passwd.jpg", "outputs/../../x.jpg", "/abs.jpg", "outputs//x.jpg"]) {
      await expect(storage.put(key, jpeg(3), "image/jpeg")).rejects.toThrow(/unsafe storage key/);
      await expect(storage.get(key)).rejects.toThrow(/unsafe storage key/);
    }
  });

  it("lists more than one page of keys", async () => {
    const storage = await make();
    const keys = Array.from({ length: 1005 }, (_, i) => `outputs/many/j/${String(i).padStart(4, "0")}.jpg`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((key) => storage.put(key, jpeg(4), "image/jpeg")));
    expect(await storage.list("outputs/many/")).toEqual(keys);
    await storage.deletePrefix("outputs/many/");
    expect(await storage.list("outputs/many/")).toEqual([]);
  });
});
