import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStudioEngine } from "../../src/engine/pool";
import { HAND_OVER_SPARE_BYTES, type Engine, type EngineRequest, type Stage } from "../../src/engine/types";
import { fixture } from "./fixtures";

let photo: Uint8Array;
const job = (extra: Partial<EngineRequest> = {}): EngineRequest => ({
  photo,
  styles: ["studio-grey"],
  aspects: ["1:1"],
  ...extra,
});

beforeAll(async () => {
  photo = await fixture("astronaut.png");
});

describe("a one-worker engine with one queue slot", () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await createStudioEngine({ workers: 1, queuePerWorker: 1, timeoutMs: 30_000 });
  });
  afterAll(() => engine.close());

  it("renders in a worker and forwards progress", async () => {
    const stages = new Set<Stage>();
    const result = await engine.generate(job({ onProgress: (stage) => stages.add(stage) }));
    expect(result.images).toHaveLength(1);
    expect([...stages]).toEqual(["validating", "detecting", "framing", "segmenting", "rendering"]);
    expect(engine.stats()).toEqual({ running: 0, queued: 0, capacity: 2 });
  });

  it("answers OVERLOADED at once when the worker and the queue are full", async () => {
    const first = engine.generate(job());
    const second = engine.generate(job());
    const started = performance.now();
    await expect(engine.generate(job())).rejects.toMatchObject({ code: "OVERLOADED" });
    expect(performance.now() - started).toBeLessThan(50);
    expect(engine.stats().running + engine.stats().queued).toBe(2);
    await Promise.all([first, second]);
    expect(engine.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it("cancels a running job and a queued one, then keeps serving", async () => {
    const controller = new AbortController();
    const running = engine.generate(
      job({ signal: controller.signal, onProgress: (s) => s === "detecting" && controller.abort() }),
    );
    const queuedController = new AbortController();
    const queued = engine.generate(job({ signal: queuedController.signal }));
    queuedController.abort();
    await expect(queued).rejects.toMatchObject({ code: "CANCELED" });
    await expect(running).rejects.toMatchObject({ code: "CANCELED" });
    expect((await engine.generate(job())).images).toHaveLength(1);
  });

  it("moves a handed-over photo to the worker, copies a kept one, and a handed-over slice", async () => {
    const kept = new Uint8Array(photo);
    expect((await engine.generate(job({ photo: kept }))).images).toHaveLength(1);
    expect(kept.byteLength).toBe(photo.byteLength);

    // As an upload leaves it: at the start of a buffer sized to the request, the form's bytes spare.
    const upload = new Uint8Array(photo.byteLength + 300);
    upload.set(photo);
    const given = upload.subarray(0, photo.byteLength);
    expect((await engine.generate(job({ photo: given, handOver: true }))).images).toHaveLength(1);
    expect(upload.byteLength).toBe(0); // detached: its memory went to the worker, not a copy

    // Views on part of a larger buffer: moving the buffer would take the rest with it.
    const larger = new Uint8Array(photo.byteLength + 16);
    larger.set(photo, 8);
    const slice = larger.subarray(8, 8 + photo.byteLength);
    expect((await engine.generate(job({ photo: slice, handOver: true }))).images).toHaveLength(1);
    expect(larger.byteLength).toBe(photo.byteLength + 16);
    const roomy = new Uint8Array(photo.byteLength + HAND_OVER_SPARE_BYTES + 1);
    roomy.set(photo);
    const head = roomy.subarray(0, photo.byteLength);
    expect((await engine.generate(job({ photo: head, handOver: true }))).images).toHaveLength(1);
    expect(roomy.byteLength).toBe(photo.byteLength + HAND_OVER_SPARE_BYTES + 1);

    // A photo small enough to share a buffer with others (Node pools small buffers): copied.
    const tiny = await sharp({ create: { width: 400, height: 400, channels: 3, background: "#888" } })
      .png()
      .toBuffer();
    const pool = new Uint8Array(Buffer.poolSize);
    pool.set(tiny);
    const first = pool.subarray(0, tiny.byteLength);
    await engine.generate(job({ photo: first, handOver: true })).catch(() => undefined);
    expect(pool.byteLength).toBe(Buffer.poolSize);
  });
});

describe("timeouts and shutdown", () => {
  it("fails a job that outlives timeoutMs with TIMEOUT, then closes cleanly", async () => {
    const engine = await createStudioEngine({ workers: 1, timeoutMs: 30 });
    await expect(
      engine.generate(job({ styles: ["studio-grey", "classic-bw"], aspects: ["1:1", "4:5"] })),
    ).rejects.toMatchObject({ code: "TIMEOUT" });
    await engine.close();
    await expect(engine.generate(job())).rejects.toMatchObject({ code: "ENGINE_UNAVAILABLE" });
  });
});
