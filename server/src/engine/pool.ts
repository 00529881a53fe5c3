// The studio engine as callers see it: a piscina pool of worker threads (one pipeline each), a
// bounded queue answered with OVERLOADED when full, per-job timeout, cancellation and progress.

import os from "node:os";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import { TS_WORKER_EXEC_ARGV } from "./ts-worker";
import { EngineError, type Engine, type EngineRequest } from "./types";
import type { WorkerEvent, WorkerReply, WorkerTask } from "./worker";

export { createStudioPipeline, type StudioPipeline } from "./pipeline";

export interface StudioEngineOptions {
  /** Worker threads, each with its own models (~150 MB). Default: available cores. */
  workers?: number;
  /** Jobs waiting per worker before OVERLOADED. Default 8. */
  queuePerWorker?: number;
  /** Per-job limit in ms, counted from submission (queueing included). Default 60 s. */
  timeoutMs?: number;
}

const DEFAULTS = { queuePerWorker: 8, timeoutMs: 60_000 };
/** A canceled or timed-out job gets this long to stop at its next stage boundary before its
 * worker thread is terminated (and replaced) to reclaim the core. */
const STOP_GRACE_MS = 2_000;

export async function createStudioEngine(options: StudioEngineOptions = {}): Promise<Engine> {
  const workers = Math.max(1, options.workers ?? os.availableParallelism());
  const queuePerWorker = options.queuePerWorker ?? DEFAULTS.queuePerWorker;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const capacity = workers * (1 + queuePerWorker);

  const pool = new Piscina<WorkerTask, WorkerReply>({
    filename: new URL("./worker.ts", import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // Our own accounting below rejects before piscina's queue could ever fill.
    maxQueue: capacity,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    execArgv: TS_WORKER_EXEC_ARGV,
  });

  // Wait until every thread has its models: the engine is usable the moment this resolves.
  const ready = await Promise.all(Array.from({ length: workers }, () => pool.run({ kind: "ready" })));
  const failed = ready.find((r) => !r.ok);
  if (failed && !failed.ok) {
    await pool.destroy();
    throw new EngineError("ENGINE_UNAVAILABLE", failed.detail);
  }

  let accepted = 0;
  let running = 0;
  let closed = false;

  /** Runs one task on a worker under the engine's capacity, timeout and cancellation rules. */
  async function submit(
    req: { photo: Uint8Array; signal?: AbortSignal | undefined; onProgress?: EngineRequest["onProgress"] },
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

    const work = pool.run(task(port2), { transferList: [port2], signal: hardStop.signal });
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
    async close() {
      if (closed) return;
      closed = true;
      // Lets jobs already accepted finish, then stops the threads.
      await pool.close();
    },
  };
}
