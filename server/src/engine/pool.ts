// The studio engine as callers see it: a piscina pool of worker threads (one pipeline each), a
// bounded queue answered with OVERLOADED when full, per-job timeout, cancellation and progress.

import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import { threadScript } from "./threads";
import {
  EngineError,
  HAND_OVER_SPARE_BYTES,
  type Engine,
  type EngineReadiness,
  type EngineRequest,
} from "./types";
import type { WorkerEvent, WorkerReply, WorkerTask } from "./worker";

export interface StudioEngineOptions {
  /** Worker threads, each with its own models and buffers (~300 MB at a 12 MP photo's peak). */
  workers: number;
  /** Jobs waiting per worker before OVERLOADED. Default 8. */
  queuePerWorker?: number;
  /** Per-job limit in ms, counted from submission (queueing included). Default 60 s. */
  timeoutMs?: number;
  /** Resolve at once, starting no thread until `warm()` or the first job (the server warms it once
   * it listens: its other routes need no models, and a start-up on two cores goes faster without
   * threads loading models beside it). Jobs submitted meanwhile wait in the queue for a worker.
   * Default false: resolve once every worker has its models, or reject if one can't load them. */
  warmInBackground?: boolean;
}

const DEFAULTS = { queuePerWorker: 8, timeoutMs: 60_000 };
/** A worker's young generation, in MB. A pipeline's pixels live in buffers outside V8's heap, so
 * its short-lived objects are few; left to V8, the new space grows to ~30 MB per worker as jobs
 * run. The cap holds ~20 MB less per worker for ~2.5 % of a job's time in more scavenges (README,
 * Performance: the leak check, `npm run bench:engine` and `--trace-gc`). */
const WORKER_YOUNG_GENERATION_MB = 12;
/** A canceled or timed-out job gets this long to stop at its next stage boundary before its
 * worker thread is terminated (and replaced) to reclaim the core. */
const STOP_GRACE_MS = 2_000;

/** The photo's memory, to move to the worker rather than copy (a 15 MB photo copied is held twice
 * until both heaps collect their copies): the buffer the photo starts, when little else is in it.
 * Nothing for a view on part of a larger buffer, nor for a photo so small that copying it costs
 * nothing and its buffer may be Node's pool of small buffers, which can't be moved. */
function ownBuffer(photo: Uint8Array): ArrayBuffer[] {
  const { buffer } = photo;
  return buffer instanceof ArrayBuffer &&
    photo.byteOffset === 0 &&
    photo.byteLength > HAND_OVER_SPARE_BYTES &&
    buffer.byteLength - photo.byteLength <= HAND_OVER_SPARE_BYTES
    ? [buffer]
    : [];
}

export async function createStudioEngine(options: StudioEngineOptions): Promise<Engine> {
  const workers = Math.max(1, options.workers);
  const queuePerWorker = options.queuePerWorker ?? DEFAULTS.queuePerWorker;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const capacity = workers * (1 + queuePerWorker);

  let pool: Piscina<WorkerTask, WorkerReply> | undefined;
  let readiness: EngineReadiness = "warming";
  let warmed: Promise<void> | undefined;
  /** Starts the threads (once); resolves when every one has loaded its models. */
  function warm(): Promise<void> {
    if (warmed) return warmed;
    const threads = (pool = new Piscina<WorkerTask, WorkerReply>({
      ...threadScript("engine-worker"),
      minThreads: workers,
      maxThreads: workers,
      // Our own accounting below rejects before piscina's queue could ever fill.
      maxQueue: capacity,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    }));
    // Every thread loads its models as it starts.
    warmed = Promise.all(Array.from({ length: workers }, () => threads.run({ kind: "ready" }))).then(
      (replies) => {
        const failed = replies.find((r) => !r.ok);
        if (failed && !failed.ok) throw new EngineError("ENGINE_UNAVAILABLE", failed.detail);
        readiness = "ready";
      },
    );
    warmed.catch(() => (readiness = "failed"));
    return warmed;
  }
  if (!options.warmInBackground) {
    try {
      await warm();
    } catch (err) {
      await pool?.destroy();
      throw err;
    }
  }

  let accepted = 0;
  let running = 0;
  let closed = false;

  /** Runs one task on a worker under the engine's capacity, timeout and cancellation rules. */
  async function submit(
    req: Pick<EngineRequest, "photo" | "handOver" | "signal" | "onProgress">,
    task: (port: MessagePort) => WorkerTask,
  ): Promise<WorkerReply & { ok: true }> {
    if (closed) throw new EngineError("ENGINE_UNAVAILABLE", "engine closed");
    if (req.signal?.aborted) throw new EngineError("CANCELED");
    if (accepted >= capacity) throw new EngineError("OVERLOADED", `${accepted} jobs in flight`);
    accepted++;

    const { port1, port2 } = new MessageChannel();
    const hardStop = new AbortController();
    let started = false;
    let stopTimer: NodeJS.Timeout | undefined;
    let settle!: (err: EngineError) => void;
    const stopped = new Promise<never>((_, reject) => {
      settle = reject;
    });
    // Stops the job from the caller's side: the caller gets `err` at once; a queued job is
    // dropped, a running one is asked to stop and terminated if it doesn't.
    const stop = (err: EngineError) => {
      settle(err);
      if (!started) return hardStop.abort();
      port1.postMessage({ type: "cancel" });
      stopTimer ??= setTimeout(() => hardStop.abort(), STOP_GRACE_MS);
    };
    const timer = setTimeout(() => stop(new EngineError("TIMEOUT", `over ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => stop(new EngineError("CANCELED"));
    req.signal?.addEventListener("abort", onAbort, { once: true });
    port1.on("message", (event: WorkerEvent) => {
      if (event.type === "started") {
        started = true;
        running++;
      } else req.onProgress?.(event.stage, event.progress);
    });

    void warm().catch(() => undefined); // a failure to load comes back from the task itself
    const transferList = req.handOver ? [port2, ...ownBuffer(req.photo)] : [port2];
    const work = pool!.run(task(port2), { transferList, signal: hardStop.signal });
    const finished = work.finally(() => {
      clearTimeout(timer);
      clearTimeout(stopTimer);
      req.signal?.removeEventListener("abort", onAbort);
      port1.close();
      accepted--;
      if (started) running--;
    });
    stopped.catch(() => undefined);
    finished.catch(() => undefined);
    const reply = await Promise.race([
      finished.catch((err: Error) => {
        throw new EngineError("ENGINE_UNAVAILABLE", err.message);
      }),
      stopped,
    ]);
    if (!reply.ok) throw new EngineError(reply.code, reply.detail);
    return reply;
  }

  const unexpected = () => new EngineError("ENGINE_UNAVAILABLE", "unexpected worker reply");
  return {
    async generate(req) {
      const reply = await submit(req, (port) => ({
        kind: "generate",
        photo: req.photo,
        styles: req.styles,
        aspects: req.aspects,
        port,
      }));
      if ("result" in reply) return reply.result;
      throw unexpected();
    },
    async prepare(req) {
      const reply = await submit(req, (port) => ({ kind: "prepare", photo: req.photo, port }));
      if ("prepared" in reply) return reply.prepared;
      throw unexpected();
    },
    stats: () => ({ running, queued: accepted - running, capacity }),
    readiness: () => readiness,
    warm,
    async close() {
      if (closed) return;
      closed = true;
      // Lets the threads finish loading their models (ONNX Runtime aborts the process if a thread
      // is ended while it creates a session) and jobs already accepted finish, then stops them.
      await warmed?.catch(() => undefined);
      await pool?.close();
    },
  };
}
