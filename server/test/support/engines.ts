// Engines for route tests. The real studio engine (shared per test file, created on first use)
// proves the end-to-end path; the scripted engine is a controllable test double for lifecycle
// cases the real one can't be steered into on demand (hold a job open, fail on cue, fill up).
import sharp from "sharp";
import { ASPECTS } from "@headshot/shared";
import { createStudioEngine } from "../../src/engine/pool";
import {
  EngineError,
  type Engine,
  type EngineImage,
  type EngineRequest,
  type EngineResult,
} from "../../src/engine/types";

let studio: Promise<Engine> | undefined;

/** The real studio engine with one worker, created when first needed and closed at exit. */
export function lazyStudioEngine(): Engine {
  const get = () => (studio ??= createStudioEngine({ workers: 1, queuePerWorker: 8, timeoutMs: 120_000 }));
  let created: Engine | undefined;
  return {
    generate: async (req) => (created = await get()).generate(req),
    prepare: async (req) => (created = await get()).prepare(req),
    stats: () => created?.stats() ?? { running: 0, queued: 0, capacity: 9 },
    close: async () => {
      if (studio) await (await studio).close();
      studio = undefined;
    },
  };
}

export type ScriptedOutcome = EngineError | "succeed";

/**
 * Holds every job until the test releases it (`release(outcome)`), reporting the engine's stages
 * on the way and honouring the abort signal exactly like the pool does.
 */
export function scriptedEngine(options: { capacity?: number } = {}) {
  const pending: { req: EngineRequest; settle: (o: ScriptedOutcome) => void }[] = [];
  let running = 0;
  const started: EngineRequest[] = [];
  let waiters: (() => void)[] = [];

  const engine: Engine = {
    async generate(req) {
      running += 1;
      started.push(req);
      waiters.forEach((w) => w());
      waiters = [];
      try {
        req.onProgress?.("detecting", 0.2);
        const outcome = await new Promise<ScriptedOutcome>((resolve, reject) => {
          pending.push({ req, settle: resolve });
          req.signal?.addEventListener("abort", () => reject(new EngineError("CANCELED")), { once: true });
        });
        if (outcome !== "succeed") throw outcome;
        req.onProgress?.("rendering", 0.8);
        return await renderPlain(req);
      } finally {
        running -= 1;
      }
    },
    // Generative jobs' input checks pass any decodable photo here; the real checks are the
    // studio pipeline's own (pipeline tests).
    prepare: async (req) => {
      try {
        const { data, info } = await sharp(req.photo)
          .resize(1536, 1536, { fit: "inside", withoutEnlargement: true })
          .jpeg()
          .toBuffer({ resolveWithObject: true });
        return { data, width: info.width, height: info.height };
      } catch (err) {
        throw new EngineError("CORRUPT_IMAGE", (err as Error).message);
      }
    },
    stats: () => ({ running, queued: 0, capacity: options.capacity ?? 100 }),
    close: async () => {},
  };

  return {
    engine,
    started,
    /** Resolves when `n` jobs have reached the engine. */
    async waitForJobs(n: number) {
      while (started.length < n) await new Promise<void>((r) => waiters.push(r));
    },
    /** Ends the most recently started job still held, with the outcome. */
    release(outcome: ScriptedOutcome = "succeed") {
      const next = pending.pop();
      if (!next) throw new Error("no job is waiting in the scripted engine");
      next.settle(outcome);
    },
  };
}

/** Plain grey JPEGs of the requested sizes: real files for the storage and URL paths. */
async function renderPlain(req: EngineRequest): Promise<EngineResult> {
  const images: EngineImage[] = [];
  for (const aspect of req.aspects) {
    const { width, height } = ASPECTS[aspect];
    const data = await sharp({
      create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } },
    })
      .jpeg()
      .toBuffer();
    const thumbHeight = Math.round((256 * height) / width);
    const thumb = await sharp(data).resize(256, thumbHeight).jpeg().toBuffer();
    for (const style of req.styles) {
      images.push({
        style,
        aspect,
        width,
        height,
        mimeType: "image/jpeg",
        data,
        thumbnail: { width: 256, height: thumbHeight, mimeType: "image/jpeg", data: thumb },
      });
    }
  }
  const metadata: EngineResult["metadata"] = {
    sourceWidth: 700,
    sourceHeight: 1000,
    upscale: 1,
    upscaled: false,
    rollDegrees: 0,
    tiltDegrees: 0,
    padded: false,
    whiteBalance: [1, 1, 1],
    durationMs: 0,
    stageMs: {},
  };
  return { images, metadata };
}
