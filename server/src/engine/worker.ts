// Piscina worker: one studio pipeline per thread, models loaded once when the thread starts.
// Talks to pool.ts through the task's MessagePort: progress out, cancellation in.

import type { MessagePort } from "node:worker_threads";
import type { Aspect, StyleId } from "@headshot/shared";
import { createStudioPipeline, type StudioPipeline } from "./pipeline";
import {
  isEngineError,
  type EngineErrorCode,
  type EngineResult,
  type PreparedPhoto,
  type Stage,
} from "./types";

export type WorkerTask =
  | { kind: "ready" }
  | { kind: "generate"; photo: Uint8Array; styles: StyleId[]; aspects: Aspect[]; port: MessagePort }
  | { kind: "prepare"; photo: Uint8Array; port: MessagePort };

/** Worker → pool messages on the task's port. */
export type WorkerEvent = { type: "started" } | { type: "progress"; stage: Stage; progress: number };
/** Pool → worker message on the task's port. */
export type WorkerCommand = { type: "cancel" };

export type WorkerReply =
  | { ok: true; result: EngineResult }
  | { ok: true; prepared: PreparedPhoto }
  | { ok: false; code: EngineErrorCode; detail?: string }
  | { ok: true; ready: true };

// Started at thread start so the first job doesn't pay for it; a failure surfaces on every task.
const pipeline = createStudioPipeline();
pipeline.catch(() => undefined);

export default async function runTask(task: WorkerTask): Promise<WorkerReply> {
  let loaded: StudioPipeline;
  try {
    loaded = await pipeline;
  } catch (err) {
    return { ok: false, code: "ENGINE_UNAVAILABLE", detail: `model load failed: ${(err as Error).message}` };
  }
  if (task.kind === "ready") return { ok: true, ready: true };

  const { port } = task;
  const abort = new AbortController();
  port.on("message", (msg: WorkerCommand) => {
    if (msg.type === "cancel") abort.abort();
  });
  const send = (event: WorkerEvent) => port.postMessage(event);
  send({ type: "started" });
  try {
    if (task.kind === "prepare") {
      return { ok: true, prepared: await loaded.prepare({ photo: task.photo, signal: abort.signal }) };
    }
    const result = await loaded.run({
      photo: task.photo,
      styles: task.styles,
      aspects: task.aspects,
      signal: abort.signal,
      onProgress: (stage, progress) => send({ type: "progress", stage, progress }),
    });
    return { ok: true, result };
  } catch (err) {
    if (isEngineError(err))
      return { ok: false, code: err.code, ...(err.detail ? { detail: err.detail } : {}) };
    return { ok: false, code: "ENGINE_UNAVAILABLE", detail: (err as Error).stack ?? String(err) };
  } finally {
    port.close();
  }
}
