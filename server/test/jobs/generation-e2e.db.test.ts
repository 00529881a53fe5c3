// The whole generation path with the real studio engine: upload → 202 → progress → six outputs per
// size → each signed file URL serves a JPEG of the stated size; the credit is spent once. And the
// photo never touches disk, the database or the logs (SPEC §6.1, §9).
import { readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse, STYLE_IDS } from "@headshot/shared";
import { rowsOf } from "../../src/db/client";
import { createHarness, type Harness } from "../support/harness";
import { balance, consentingUser, fixture, upload, waitForEnd } from "./helpers";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ PUBLIC_BASE_URL: "https://api.headshot.test" });
});
afterAll(() => h?.close());

/** A file's bytes, or null if it vanished after it was listed: the OS temp dir is shared with
 * other processes (and with the test runner's own workers), whose temp files come and go. */
function readIfPresent(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

function filesUnder(dir: string, since: number): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      try {
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && statSync(p).mtimeMs >= since && statSync(p).size < 200 * 1024 * 1024)
          found.push(p);
      } catch {
        /* vanished while walking */
      }
    }
  };
  walk(dir);
  return found;
}

describe("generation end to end (studio engine)", () => {
  it("turns one photo into six headshots per size, served by signed URLs, for one credit", async () => {
    const user = await consentingUser(h);
    expect(await balance(h, user)).toBe(3);
    const photo = fixture("one_face_sample1_crop.jpg");
    const started = Date.now() - 1000;

    const res = await upload(h, user, photo);
    expect(res.status).toBe(202);
    const accepted = JobResponse.parse(await res.json()).job;
    expect(["queued", "processing"]).toContain(accepted.status);
    expect(await balance(h, user)).toBe(2);

    const job = await waitForEnd(h, user, accepted.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(job.progress).toBe(1);
    expect(job.outputs).toHaveLength(12);
    for (const aspect of ["1:1", "4:5"] as const) {
      const ofAspect = job.outputs.filter((o) => o.aspect === aspect);
      expect(ofAspect.map((o) => o.style).sort()).toEqual([...STYLE_IDS].sort());
    }

    for (const output of job.outputs) {
      expect(output.url.startsWith("https://api.headshot.test/files/")).toBe(true);
      for (const [url, width, height] of [
        [output.url, output.width, output.height],
        [output.thumbnailUrl, output.thumbnailWidth, output.thumbnailHeight],
      ] as const) {
        const file = await h.app.request(url.replace("https://api.headshot.test", ""));
        expect(file.status).toBe(200);
        expect(file.headers.get("Content-Type")).toBe("image/jpeg");
        expect(file.headers.get("Access-Control-Allow-Origin")).toBe("*");
        expect(file.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+$/);
        const bytes = Buffer.from(await file.arrayBuffer());
        expect(Number(file.headers.get("Content-Length"))).toBe(bytes.length);
        const meta = await sharp(bytes).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", width, height]);
        expect(meta.exif).toBeUndefined();
      }
    }
    expect(await balance(h, user)).toBe(2);

    // The photo never touched disk: no file written since the upload holds a piece of it.
    const probe = photo.subarray(Math.floor(photo.length / 2), Math.floor(photo.length / 2) + 64);
    const written = [...filesUnder(h.filesDir, started), ...filesUnder(os.tmpdir(), started)];
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) {
      expect(readIfPresent(file)?.includes(probe) ?? false, file).toBe(false);
    }

    // No database column holds it, in any encoding we could have stored it in.
    const tables = rowsOf<{ table_name: string }>(
      await h.services.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public'`,
      ),
    );
    const needles = [probe.toString("base64"), probe.toString("hex")];
    for (const { table_name } of tables) {
      const rows = rowsOf<{ row: string }>(
        await h.services.db.execute(sql.raw(`select t::text as row from "${table_name}" t`)),
      );
      for (const { row } of rows) for (const needle of needles) expect(row.includes(needle)).toBe(false);
    }

    // Logs hold neither the token nor the photo.
    const logs = h.logs();
    expect(logs).not.toContain(user.token);
    for (const needle of needles) expect(logs).not.toContain(needle);
  });

  it("reads an iPhone HEIC photo", async () => {
    const user = await consentingUser(h);
    const res = await upload(h, user, fixture("one_face_sample1_crop.heic"), {
      styles: "studio-grey",
      aspects: "1:1",
    });
    expect(res.status).toBe(202);
    const job = await waitForEnd(h, user, JobResponse.parse(await res.json()).job.id);
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(1);
  });

  it("fails a photo without a face in its job, with the reason and a refund", async () => {
    const user = await consentingUser(h);
    const res = await upload(h, user, fixture("coffee.png"));
    expect(res.status).toBe(202);
    const job = await waitForEnd(h, user, JobResponse.parse(await res.json()).job.id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "UNPROCESSABLE", reason: "NO_FACE" });
    expect(job.error!.message).toMatch(/face/i);
    expect(await balance(h, user)).toBe(3);
  });

  it("fails an explicit photo in its job as UNSAFE_CONTENT, with a refund", async () => {
    // test/fixtures/unsafe_synthetic.png: 448 px of noise the safety classifier scores as "Porn".
    const user = await consentingUser(h);
    const res = await upload(h, user, fixture("unsafe_synthetic.png"));
    expect(res.status).toBe(202);
    expect(await balance(h, user)).toBe(2);
    const job = await waitForEnd(h, user, JobResponse.parse(await res.json()).job.id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "UNPROCESSABLE", reason: "UNSAFE_CONTENT" });
    expect(job.error!.message).toMatch(/explicit content/);
    expect(job.outputs).toHaveLength(0);
    expect(await balance(h, user)).toBe(3);
  });
});
