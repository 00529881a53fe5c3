// AI studio (SPEC §7.3): a generative job is one prediction per style at a GPU provider. This
// module is its life on an instance:
//   - start: the photo passes the same input checks as the studio engine's (safe, one face),
//     is downscaled, and stays in this process's memory while its styles are being sent — at most
//     REMOTE_ENGINE_PARALLEL at once, busy and rate-limited sends postponed, failures retried;
//   - receive: a callback (on any instance) is verified, its image copied into our storage, and
//     its state applied in PostgreSQL once (predictions.ts), ending the job when all styles are in;
//   - cancel: every open prediction stops at the provider.
// The reconciler (reconciler.ts) covers what callbacks miss.
import { randomUUID } from "node:crypto";
import { DEFAULT_ATTIRE, generativePrompt, styleById, type Attire, type StyleId } from "@headshot/shared";
import type { Clock } from "../clock";
import type { Config } from "../config/config";
import type { Database } from "../db/client";
import { countFunnelEvent } from "../domain/funnel";
import { EngineError, type Engine } from "../engine/types";
import { endJobWithRefund, recordProgress, type JobRow } from "../jobs/jobs";
import type { JobRunner } from "../jobs/runner";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics/metrics";
import type { Storage } from "../storage/storage";
import { failUnreachable, switchToStudio } from "./fallback";
import { MAX_OUTPUT_BYTES, storeStyleImages } from "./output-images";
import {
  applyState,
  cancelOpenPredictions,
  claimForSending,
  findOpenAttempt,
  isDelivered,
  openCounts,
  postpone,
  recordProviderId,
  sendable,
  type Applied,
  type JobEnd,
  type MissingReason,
  type PredictionRow,
} from "./predictions";
import {
  ProviderError,
  TERMINAL_PREDICTION_STATUSES,
  type PredictionProvider,
  type PredictionState,
} from "./provider";

export interface GenerativeEngineDeps {
  db: Database;
  provider: PredictionProvider;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  metrics: Pick<Metrics, "predictions" | "predictionSeconds" | "engineCallbacks" | "predictSecondsPerJob">;
  config: Pick<
    Config,
    | "REMOTE_ENGINE_PARALLEL"
    | "REMOTE_ENGINE_TIMEOUT_S"
    | "OUTPUT_RETENTION_DAYS"
    | "ENGINE_FALLBACK"
    | "publicBaseUrl"
  >;
  /** The studio engine checks and downscales the photo; its runner takes a job that falls back. */
  studio: { engine: Pick<Engine, "prepare">; runner: Pick<JobRunner, "reserve" | "start"> };
  /** How often this instance looks for predictions of its jobs to send (callbacks also wake it). */
  sendEveryMs?: number;
}

/** A state reported by a callback or a poll, with what it is about. */
export interface Report {
  /** The attempt named in the callback's URL (absent for polls). */
  attemptId?: string | undefined;
  state: PredictionState;
  deliveryId?: string | undefined;
  /** Why a failure happened when the state doesn't say (a timeout). */
  reason?: MissingReason | undefined;
}

export interface GenerativeEngine {
  readonly provider: PredictionProvider;
  /** Starts a generative job whose predictions exist (pending); the photo is dropped when done. */
  start(job: JobRow, photo: Uint8Array): void;
  /** A verified callback or a poll's answer, applied once. */
  apply(report: Report): Promise<Applied["outcome"]>;
  /** After the job was canceled (and refunded): stops its open predictions at the provider. */
  cancel(jobId: string): Promise<void>;
  /** Stops predictions already ended in the database (`cancelOpenPredictions`) at the provider;
   * an erasure ends them in its own transaction. Never throws. */
  cancelPredictions(ended: PredictionRow[]): Promise<void>;
  /** What follows a job's end decided elsewhere (the reconciler): files removed, counted, logged. */
  jobsEnded(ends: JobEnd[]): Promise<void>;
  /** Jobs whose photo this instance holds. */
  inFlight(): number;
  close(): Promise<void>;
}

/** Longest 429 wait accepted before a job's first prediction; beyond it the provider counts as down. */
const RATE_LIMIT_BUDGET_MS = 30_000;
/** Before retrying a style whose send failed on a provider error. */
const RETRY_AFTER_MS = 3_000;
const SAFETY_ERROR = /nsfw|safety|sensitive|flagged/i;

interface HeldJob {
  job: JobRow;
  /** The original photo, kept until the provider took the first prediction (a fallback needs it). */
  photo: Uint8Array | undefined;
  imageDataUrl: string;
  attire: Attire;
  /** The provider took at least one of this job's predictions. */
  reached: boolean;
  startedAt: number;
}

export function createGenerativeEngine(deps: GenerativeEngineDeps): GenerativeEngine {
  const { db, provider, clock, logger, metrics, config } = deps;
  const kind = provider.kind;
  const held = new Map<string, HeldJob>();
  /** Reports being applied here, so concurrent duplicates fetch and store an image once. */
  const applying = new Map<string, Promise<Applied["outcome"]>>();
  const starting = new Set<Promise<void>>();
  let closed = false;

  // ---- sending ---------------------------------------------------------------------------------

  let ticking: Promise<void> | undefined;
  let again = false;
  /** Sends what can be sent now; calls during a pass make it run once more. */
  function wake(): void {
    if (closed) return;
    if (ticking) {
      again = true;
      return;
    }
    ticking = sendPass()
      .catch((err: unknown) => logger.error({ err }, "sending predictions failed"))
      .finally(() => {
        ticking = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  }
  const timer = setInterval(() => held.size > 0 && wake(), deps.sendEveryMs ?? 500);
  timer.unref();

  async function sendPass(): Promise<void> {
    if (held.size === 0) return;
    const ids = [...held.keys()];
    const counts = await openCounts(db, ids);
    for (const id of ids) if (!counts.has(id)) held.delete(id); // every style has ended
    const live = ids.filter((id) => counts.has(id));
    if (live.length === 0) return;
    const sends: Promise<void>[] = [];
    for (const row of await sendable(db, live, clock.now())) {
      const h = held.get(row.jobId);
      const c = counts.get(row.jobId);
      if (!h || !c) continue;
      // Until the provider has taken one prediction of the job, one at a time: if it can't be
      // reached, the whole job falls back before anything else was sent.
      const limit = h.reached ? config.REMOTE_ENGINE_PARALLEL : 1;
      if (c.sent >= limit) continue;
      c.sent += 1;
      sends.push(send(h, row));
    }
    await Promise.all(sends);
  }

  async function send(h: HeldJob, row: PredictionRow): Promise<void> {
    const attemptId = randomUUID();
    if (!(await claimForSending(db, row.id, attemptId, clock.now()))) return;
    const style = styleById(row.style as StyleId);
    try {
      const state = await provider.create({
        id: attemptId,
        input: {
          input_image: h.imageDataUrl,
          prompt: generativePrompt(style, h.attire),
          aspect_ratio: "4:5",
          output_format: "jpg",
          seed: seedOf(attemptId),
        },
        webhookUrl: `${config.publicBaseUrl}/webhooks/engine?attempt=${attemptId}`,
        deadlineS: config.REMOTE_ENGINE_TIMEOUT_S,
      });
      if (!h.reached) {
        h.reached = true;
        h.photo = undefined;
        wake(); // the provider is there: the job's other styles go now
      }
      metrics.predictions.inc({ provider: kind, outcome: "created", reason: "" });
      const status = await recordProviderId(db, attemptId, state.providerId);
      // Canceled while it was being created, or its row is gone (the user was erased meanwhile).
      if (status === "canceled" || status === undefined) await cancelAtProvider(state.providerId);
      else if (TERMINAL_PREDICTION_STATUSES.includes(state.status)) await apply({ attemptId, state });
    } catch (err) {
      await sendFailed(h, attemptId, err);
    }
  }

  async function sendFailed(h: HeldJob, attemptId: string, err: unknown): Promise<void> {
    const failure = err instanceof ProviderError ? err.failure : undefined;
    const now = clock.now();
    if (failure && (failure.kind === "busy" || failure.kind === "rate_limited")) {
      if (h.reached || failure.retryAfterMs <= RATE_LIMIT_BUDGET_MS) {
        await postpone(db, attemptId, new Date(now.getTime() + failure.retryAfterMs));
        return;
      }
    }
    if (!h.reached && (!failure || failure.kind !== "refused")) {
      logger.warn(
        { jobId: h.job.id, provider: kind, failure: failure?.kind ?? String(err) },
        "provider unreachable",
      );
      await unreachable(h);
      return;
    }
    // Taken before or refused outright: this attempt failed; the style is retried once.
    metrics.predictions.inc({ provider: kind, outcome: "failed", reason: failure?.kind ?? "error" });
    await apply({
      attemptId,
      state: {
        providerId: attemptId,
        status: "failed",
        outputs: [],
        error: String(err),
        predictSeconds: null,
      },
      reason: failure?.kind === "refused" ? "FAILED" : "UNAVAILABLE",
      notBefore: new Date(now.getTime() + RETRY_AFTER_MS),
    });
  }

  /** The provider can't take the job's first prediction: fall back to studio, or fail refunded. */
  async function unreachable(h: HeldJob): Promise<void> {
    held.delete(h.job.id);
    const now = clock.now();
    if (config.ENGINE_FALLBACK === "studio" && h.photo) {
      const studioJob = await switchToStudio(db, h.job.id);
      if (!studioJob) return;
      metrics.predictions.inc({ provider: kind, outcome: "fallback", reason: "UNAVAILABLE" });
      const reservation = deps.studio.runner.reserve();
      if (reservation) {
        deps.studio.runner.start(studioJob, h.photo, reservation);
        return;
      }
      await endJobWithRefund(
        db,
        studioJob.id,
        {
          status: "failed",
          code: "OVERLOADED",
          reason: "OVERLOADED",
          message: "We're creating a lot of headshots right now. Your credit was refunded; please try again.",
        },
        now,
      );
      return;
    }
    await failUnreachable(db, h.job.id, now);
  }

  // ---- receiving -------------------------------------------------------------------------------

  async function apply(report: Report & { notBefore?: Date }): Promise<Applied["outcome"]> {
    const key = report.deliveryId ?? `${report.attemptId ?? report.state.providerId}:${report.state.status}`;
    const inProgress = applying.get(key);
    if (inProgress) {
      await inProgress.catch(() => undefined);
      return "duplicate";
    }
    const work = applyOnce(report).finally(() => applying.delete(key));
    applying.set(key, work);
    return work;
  }

  async function applyOnce(report: Report & { notBefore?: Date }): Promise<Applied["outcome"]> {
    const { state } = report;
    if (report.deliveryId && (await isDelivered(db, report.deliveryId))) return "duplicate";
    const found = await findOpenAttempt(db, { attemptId: report.attemptId, providerId: state.providerId });
    if (!found) return "stale";
    const now = clock.now();
    let status = state.status;
    let reason = report.reason;
    let outputRows: Awaited<ReturnType<typeof storeStyleImages>> | undefined;
    if (status === "succeeded") {
      // A safety checker that drops its image answers "succeeded" with nothing (PLATFORM.md).
      const ref = state.outputs[0];
      try {
        if (!ref) throw new Error("no output");
        const image = await provider.fetchOutput(ref, MAX_OUTPUT_BYTES);
        outputRows = await storeStyleImages(
          { storage: deps.storage, retentionDays: config.OUTPUT_RETENTION_DAYS },
          found.job,
          found.prediction.style as StyleId,
          image,
          now,
        );
      } catch (err) {
        logger.warn({ jobId: found.job.id, provider: kind, err: String(err) }, "generated image unusable");
        status = "failed";
        reason = ref ? "FAILED" : "UNSAFE_CONTENT";
      }
    } else if (status === "failed") {
      reason ??= state.error && SAFETY_ERROR.test(state.error) ? "UNSAFE_CONTENT" : "FAILED";
    }
    const applied = await applyState(
      db,
      {
        attemptId: report.attemptId,
        providerId: state.providerId,
        status,
        predictSeconds: state.predictSeconds,
        reason,
        deliveryId: report.deliveryId,
        outputRows,
        notBefore: report.notBefore,
      },
      now,
      found,
    ).catch(async (err: unknown) => {
      if (outputRows) await deps.storage.delete(outputRows.flatMap((r) => [r.storageKey, r.thumbStorageKey]));
      throw err;
    });
    if (applied.outcome !== "applied") {
      if (outputRows) await deps.storage.delete(outputRows.flatMap((r) => [r.storageKey, r.thumbStorageKey]));
      return applied.outcome;
    }
    const p = applied.prediction;
    if (p.status === "succeeded" || p.status === "failed" || p.status === "pending") {
      const outcome = p.status === "pending" ? "retried" : p.status;
      metrics.predictions.inc({
        provider: kind,
        outcome,
        reason: p.status === "succeeded" ? "" : (p.missingReason ?? ""),
      });
      if (found.prediction.sentAt) {
        metrics.predictionSeconds.observe(
          { provider: kind, status },
          (now.getTime() - found.prediction.sentAt.getTime()) / 1000,
        );
      }
    }
    if (applied.jobEnded) await jobEnded(applied.jobEnded);
    if (p.status === "pending") wake(); // a retry to send
    return "applied";
  }

  async function jobEnded(end: JobEnd): Promise<void> {
    await deps.storage.delete(end.removedKeys);
    metrics.predictSecondsPerJob.observe({ provider: kind }, end.predictSeconds);
    const event = end.status === "succeeded" ? "generation_succeeded" : "generation_failed";
    await countFunnelEvent(db, event, clock.now()).catch(() => {});
    logger.info(
      {
        jobId: end.job.id,
        provider: kind,
        status: end.status,
        predictSeconds: Math.round(end.predictSeconds),
      },
      "generative job ended",
    );
  }

  /** Stops these predictions (ended here already) where the provider runs them. */
  async function cancelPredictions(ended: PredictionRow[]): Promise<void> {
    await Promise.all(
      ended.map((p) => {
        const id = p.providerId ?? (kind === "cog" ? p.attemptId : null);
        return id ? cancelAtProvider(id) : undefined; // a create in flight is canceled when it answers
      }),
    );
  }

  async function cancelAtProvider(providerId: string): Promise<void> {
    try {
      await provider.cancel(providerId);
      metrics.predictions.inc({ provider: kind, outcome: "canceled", reason: "" });
    } catch (err) {
      // It ends at the provider anyway (Cancel-After / its own timeout); its callback finds nothing.
      logger.warn({ provider: kind, err: String(err) }, "could not cancel a prediction at the provider");
    }
  }

  // ---- starting --------------------------------------------------------------------------------

  async function run(job: JobRow, photo: Uint8Array): Promise<void> {
    await recordProgress(db, job.id, "validating", 0.02);
    let imageDataUrl: string;
    try {
      const prepared = await deps.studio.engine.prepare({ photo });
      imageDataUrl = `data:image/jpeg;base64,${Buffer.from(prepared.data).toString("base64")}`;
    } catch (err) {
      const engineError =
        err instanceof EngineError ? err : new EngineError("ENGINE_UNAVAILABLE", String(err));
      const userFault = engineError.code !== "ENGINE_UNAVAILABLE" && engineError.code !== "OVERLOADED";
      const ended = await endJobWithRefund(
        db,
        job.id,
        {
          status: "failed",
          code: userFault
            ? "UNPROCESSABLE"
            : engineError.code === "OVERLOADED"
              ? "OVERLOADED"
              : "UNAVAILABLE",
          reason: engineError.code,
          message: engineError.message,
        },
        clock.now(),
      );
      if (ended) await cancelOpenPredictions(db, { jobId: job.id }, clock.now());
      logger.info({ jobId: job.id, code: engineError.code }, "generative job refused its photo");
      return;
    }
    await recordProgress(db, job.id, "generating", 0.1);
    held.set(job.id, {
      job,
      photo,
      imageDataUrl,
      attire: (job.attire as Attire | null) ?? DEFAULT_ATTIRE,
      reached: false,
      startedAt: Date.now(),
    });
    if (!(await provider.isReady().catch(() => false))) {
      await unreachable(held.get(job.id)!);
      return;
    }
    wake();
  }

  return {
    provider,
    start(job, photo) {
      const started = run(job, photo)
        .catch((err: unknown) => logger.error({ jobId: job.id, err }, "generative job start failed"))
        .finally(() => starting.delete(started));
      starting.add(started);
    },
    apply,
    async cancel(jobId) {
      held.delete(jobId);
      await cancelPredictions(await cancelOpenPredictions(db, { jobId }, clock.now()));
    },
    cancelPredictions,
    async jobsEnded(ends) {
      for (const end of ends) await jobEnded(end);
    },
    inFlight: () => held.size + starting.size,
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all([...starting]);
      await ticking;
    },
  };
}

/** A seed per attempt: a retry gets a different picture, a resend of the same attempt the same. */
function seedOf(attemptId: string): number {
  return Number.parseInt(attemptId.slice(0, 8), 16) % 2_147_483_647;
}
