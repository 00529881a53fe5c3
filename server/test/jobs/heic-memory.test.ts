// Issue 18, finding 3: a 12 KB HEIC declaring 7000×7000 used to add ~560 MB to the engine worker
// that decoded it, for good (a WebAssembly memory never shrinks). Through the real route and the
// real engine: resident memory after two such uploads stays near where it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse } from "@headshot/shared";
import { createHarness, type Harness } from "../support/harness";
import { consentingUser, fixture, upload, waitForEnd } from "./helpers";

// What may stay: the engine's libvips keeps its last input (≤ MAX_DECODED_PIXELS × 4 bytes = 64 MB)
// until the worker's next job, plus allocator and heap noise. Before the fix: ~560 MB.
const RSS_GROWTH_BOUND_MB = 120;

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ FREE_CREDITS: "10" });
});
afterAll(() => h?.close());

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

describe("a large HEIC's memory", () => {
  it("goes back after two uploads of a 12 KB HEIC declaring 7000×7000", async () => {
    const user = await consentingUser(h);
    const generate = async (name: string) => {
      const res = await upload(h, user, fixture(name));
      expect(res.status).toBe(202);
      return waitForEnd(h, user, JobResponse.parse(await res.json()).job.id);
    };
    // Models loaded and a phone-sized HEIC decoded once: the level a working server sits at.
    expect((await generate("one_face_sample1_crop.jpg")).status).toBe("succeeded");
    expect((await generate("one_face_sample1_crop.heic")).status).toBe("succeeded");
    const before = rssMb();

    for (let i = 0; i < 2; i++) {
      // A flat grey square has no face: the job fails (refunded) after the decode it is about.
      const job = await generate("flat_7000x7000.heic");
      expect([job.status, job.error?.reason]).toEqual(["failed", "NO_FACE"]);
    }
    const after = rssMb();
    console.info(`RSS before ${before} MB, after two 7000×7000 HEICs ${after} MB (+${after - before} MB)`);
    expect(after - before).toBeLessThan(RSS_GROWTH_BOUND_MB);
  });
});
