// Runs accepted jobs on this instance: the photo goes from the request's memory to the engine,
// stages are written as progress, outputs are stored, and any failure ends the job with its
// refund. Keeps track of in-flight jobs so cancel can abort them and shutdown can drain them.
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { Aspect, JobStage, StyleId } from "@headshot/shared";
import type { Clock } from "../clock";
import type { Config } from "../config/config";
import type { Database } from "../db/client";
import { jobs, outputs } from "../db/schema";
import { countFunnelEvent } from "../domain/funnel";
import { EngineError, type Engine, type EngineResult } from "../engine/types";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics/metrics";
import type { Storage } from "../storage/storage";
import { outputKeys } from "../storage/storage";
import { ACTIVE_JOB_STATUSES, endJobWithRefund, recordProgress, type JobRow } from "./jobs";

export interface RunnerDeps {
  db: Database;
  engine: Engine;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, "OUTPUT_RETENTION_DAYS">;
  metrics: Pick<Metrics, "generationSeconds">;
}

const STORING_PROGRESS = 0.92;
// Progress is written when the stage changes or it moved this much: enough for a progress bar.
const PROGRESS_STEP = 0.08;

/** Why a job was stopped from outside the engine. */
export type AbortReason = "canceled" | "shutdown";

/** A slot held for a request between its checks and its job's start (SPEC §6.2 OVERLOADED). */
export interface Reservation {
  release(): void;
}

export interface JobRunner {
  /** Whether reserve() would find a place now; holds nothing (checked before an upload is read). */
  hasCapacity(): boolean;
  /**
   * Holds one place in the engine's capacity from the moment the photo has arrived until its job
   * starts, so a burst can't pass the capacity check together and then be failed after charging.
   * Undefined: full. Never taken before the photo has arrived: a slow upload holds no place.
   */
  reserve(): Reservation | undefined;
  /** Starts the job in the background on the reserved place. The photo is the runner's from now on
   * (the engine may move its memory to a worker thread) and is dropped when the job ends. */
  start(job: JobRow, photo: Uint8Array, reservation: Reservation): void;
  /** Aborts the job if it runs here; true when it did. */
  abort(jobId: string, reason: AbortReason): boolean;
  inFlight(): number;
  /** Waits for in-flight jobs up to `timeoutMs`, then aborts the rest (each fails and refunds). */
  drain(timeoutMs: number): Promise<void>;
}

const SHUTDOWN_OUTCOME = {
  status: "failed",
  code: "UNAVAILABLE",
  reason: "INSTANCE_LOST",
  message:
    "The server restarted before your headshots were ready. Your credit was refunded; please try again.",
} as const;

export function createJobRunner(deps: RunnerDeps): JobRunner {
  const { db, engine, clock, logger, metrics } = deps;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let reserved = 0;
  const hasCapacity = () => running.size + reserved < engine.stats().capacity;

  async function run(job: JobRow, photo: Uint8Array, signal: AbortSignal): Promise<void> {
    let written: { stage: JobStage; progress: number } = { stage: "validating", progress: 0 };
    let writes = Promise.resolve();
    const progress = (stage: JobStage, value: number) => {
      if (stage === written.stage && value - written.progress < PROGRESS_STEP) return;
      written = { stage, progress: value };
      // A lost progress write only makes the bar lag; the job's end is written for sure below.
      writes = writes.then(() => recordProgress(db, job.id, stage, value)).catch(() => {});
    };

    const started = performance.now();
    let result: EngineResult;
    try {
      progress("validating", 0.01);
      result = await engine.generate({
        photo,
        // The photo is dropped when the job ends (SPEC §6.1): the engine may take it.
        handOver: true,
        styles: job.styles as StyleId[],
        aspects: job.aspects as Aspect[],
        signal,
        onProgress: (stage, value) => progress(stage, Math.min(value, STORING_PROGRESS - 0.01)),
      });
      progress("storing", STORING_PROGRESS);
      await writes;
    } catch (err) {
      await writes;
      await failJob(job, err, signal.reason as AbortReason | undefined);
      return;
    }
    if (await storeOutputs(deps, job, result)) {
      await countFunnelEvent(db, "generation_succeeded", clock.now()).catch(() => {});
      for (const [stage, ms] of Object.entries(result.metadata.stageMs)) {
        metrics.generationSeconds.observe({ stage }, ms / 1000);
      }
      metrics.generationSeconds.observe({ stage: "total" }, (performance.now() - started) / 1000);
      logger.info({ jobId: job.id, ms: Math.round(performance.now() - started) }, "job succeeded");
    } else {
      // Canceled, swept or erased while rendering: the files are gone again; refund if still due.
      await endWithRetries(job.id, {
        status: "failed",
        code: "INTERNAL",
        reason: null,
        message: "Your headshots could not be saved. Your credit was refunded; please try again.",
      });
      logger.info({ jobId: job.id }, "job ended before its outputs were stored");
    }
  }

  async function failJob(job: JobRow, err: unknown, aborted: AbortReason | undefined) {
    const engineError = err instanceof EngineError ? err : undefined;
    const outcome =
      aborted === "shutdown"
        ? SHUTDOWN_OUTCOME
        : engineError?.code === "CANCELED"
          ? ({
              status: "canceled",
              code: "CONFLICT",
              reason: "CANCELED",
              message: engineError.message,
            } as const)
          : {
              status: "failed" as const,
              code: engineError ? errorCodeFor(engineError) : "INTERNAL",
              reason: engineError?.code ?? null,
              message:
                engineError?.message ??
                "Something went wrong while creating your headshots. Your credit was refunded.",
            };
    const ended = await endWithRetries(job.id, outcome);
    if (ended && outcome.status === "failed") {
      await countFunnelEvent(db, "generation_failed", clock.now()).catch(() => {});
    }
    const level = engineError && engineError.code !== "ENGINE_UNAVAILABLE" ? "info" : "error";
    logger[level](
      { jobId: job.id, code: engineError?.code, err: engineError ? engineError.detail : err },
      "job ended without outputs",
    );
  }

  /**
   * Ends the job with its refund, retrying through a short database outage; if the database stays
   * away, the job is left active and the crash sweep refunds it once this instance is gone.
   */
  async function endWithRetries(jobId: string, outcome: Parameters<typeof endJobWithRefund>[2]) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await endJobWithRefund(db, jobId, outcome, clock.now());
      } catch (err) {
        if (attempt >= 3) {
          logger.error({ jobId, err }, "could not end job; leaving it to the crash sweep");
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }

  return {
    hasCapacity,
    reserve() {
      if (!hasCapacity()) return undefined;
      reserved += 1;
      let held = true;
      return {
        release() {
          if (held) reserved -= 1;
          held = false;
        },
      };
    },
    start(job, photo, reservation) {
      const controller = new AbortController();
      const done = run(job, photo, controller.signal)
        .catch((err: unknown) => logger.error({ jobId: job.id, err }, "job runner failed"))
        .finally(() => running.delete(job.id));
      running.set(job.id, { controller, done });
      reservation.release();
    },
    abort(jobId, reason) {
      const entry = running.get(jobId);
      entry?.controller.abort(reason);
      return Boolean(entry);
    },
    inFlight: () => running.size,
    async drain(timeoutMs) {
      const all = Promise.all([...running.values()].map((r) => r.done));
      const timer = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), timeoutMs).unref(),
      );
      if ((await Promise.race([all, timer])) === "timeout") {
        for (const entry of running.values()) entry.controller.abort("shutdown" satisfies AbortReason);
        await all;
      }
    },
  };
}

/** Engine errors about the photo are the user's to fix (422); the rest are ours (500/503). */
function errorCodeFor(error: EngineError): string {
  switch (error.code) {
    case "NO_FACE":
    case "MULTIPLE_FACES":
    case "FACE_TOO_SMALL":
    case "LOW_RESOLUTION":
    case "SUBJECT_CROPPED":
    case "CORRUPT_IMAGE":
    case "UNSAFE_CONTENT":
      return "UNPROCESSABLE";
    case "OVERLOADED":
      return "OVERLOADED";
    case "ENGINE_UNAVAILABLE":
    case "TIMEOUT":
      return "UNAVAILABLE";
    case "CANCELED":
      return "CONFLICT";
  }
}

/**
 * Writes the files, then the rows and the job's success in one transaction guarded by the job
 * still being active; if it was canceled meanwhile, the files are removed again.
 */
async function storeOutputs(deps: RunnerDeps, job: JobRow, result: EngineResult): Promise<boolean> {
  const { db, storage, clock, config } = deps;
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + config.OUTPUT_RETENTION_DAYS * 24 * 60 * 60 * 1000);
  const rows = await Promise.all(
    result.images.map(async (image) => {
      const id = randomUUID();
      const keys = outputKeys(job.userId, job.id, id);
      await storage.put(keys.image, image.data, image.mimeType);
      await storage.put(keys.thumbnail, image.thumbnail.data, image.thumbnail.mimeType);
      return {
        id,
        jobId: job.id,
        userId: job.userId,
        style: image.style,
        aspect: image.aspect,
        width: image.width,
        height: image.height,
        mimeType: image.mimeType,
        byteSize: image.data.byteLength,
        storageKey: keys.image,
        thumbStorageKey: keys.thumbnail,
        thumbWidth: image.thumbnail.width,
        thumbHeight: image.thumbnail.height,
        thumbByteSize: image.thumbnail.data.byteLength,
        createdAt: now,
        expiresAt,
      };
    }),
  );
  const stored = await db.transaction(async (tx) => {
    const [done] = await tx
      .update(jobs)
      .set({ status: "succeeded", stage: "storing", progress: 1, finishedAt: now })
      .where(and(eq(jobs.id, job.id), inArray(jobs.status, [...ACTIVE_JOB_STATUSES])))
      .returning({ id: jobs.id });
    if (!done) return false;
    await tx.insert(outputs).values(rows);
    return true;
  });
  if (!stored) await storage.delete(rows.flatMap((r) => [r.storageKey, r.thumbStorageKey]));
  return stored;
}
