// A generative job's predictions in PostgreSQL (SPEC §7.3): one row per style, moved through
// pending → starting/processing → succeeded | failed | canceled. Every change that can end a
// style happens in one transaction that locks the job row first, so callbacks, polls, timeouts
// and cancels on any number of instances serialise per job: a delivery applies once, a terminal
// status is final, and the job ends (with its refund when too few styles came back) exactly once.
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { MissingStyle } from "@headshot/shared";
import type { Database, DbOrTx, Tx } from "../db/client";
import { engineDeliveries, jobs, outputs, predictions } from "../db/schema";
import { ranOnDeadInstance } from "../jobs/instances";
import { ACTIVE_JOB_STATUSES, endJobWithRefund, type JobRow } from "../jobs/jobs";

export type PredictionRow = typeof predictions.$inferSelect;
type OutputInsert = typeof outputs.$inferInsert;
export type MissingReason = MissingStyle["reason"];

export const OPEN_STATUSES = ["pending", "starting", "processing"] as const;
export const SENT_STATUSES = ["starting", "processing"] as const;
/** A failed style is retried once (SPEC §7.3). */
export const MAX_ATTEMPTS = 2;
/** Progress of a generative job: validation up to here, then each finished style adds its share. */
const GENERATING_FROM = 0.1;
const GENERATING_TO = 0.95;

/** The job's predictions, all pending, written in the job's own transaction. */
export async function insertPredictions(tx: Tx, job: JobRow): Promise<void> {
  await tx.insert(predictions).values(job.styles.map((style) => ({ jobId: job.id, style })));
}

export function predictionsOf(db: DbOrTx, jobId: string): Promise<PredictionRow[]> {
  return db
    .select()
    .from(predictions)
    .where(eq(predictions.jobId, jobId))
    .orderBy(asc(predictions.createdAt));
}

/**
 * Claims a pending prediction for sending a new attempt under `attemptId`; undefined when another
 * change got there first (canceled, or already sent).
 */
export async function claimForSending(
  db: Database,
  predictionId: string,
  attemptId: string,
  now: Date,
): Promise<PredictionRow | undefined> {
  const [row] = await db
    .update(predictions)
    .set({
      status: "starting",
      attempts: sql`${predictions.attempts} + 1`,
      attemptId,
      providerId: null,
      sentAt: now,
      polledAt: null,
      notBefore: null,
    })
    .where(and(eq(predictions.id, predictionId), eq(predictions.status, "pending")))
    .returning();
  return row;
}

/**
 * The provider took the attempt: its id is recorded (a callback that raced the answer may have
 * done so already). Returns the row's status, so a cancel that came meanwhile can be passed on.
 */
export async function recordProviderId(
  db: Database,
  attemptId: string,
  providerId: string,
): Promise<PredictionRow["status"] | undefined> {
  const [row] = await db
    .update(predictions)
    .set({ providerId: sql`coalesce(${predictions.providerId}, ${providerId})` })
    .where(eq(predictions.attemptId, attemptId))
    .returning({ status: predictions.status });
  return row?.status;
}

/** The provider could not take the attempt now (busy, rate limited): it was never made. */
export async function postpone(db: Database, attemptId: string, notBefore: Date): Promise<void> {
  await db
    .update(predictions)
    .set({
      status: "pending",
      attempts: sql`${predictions.attempts} - 1`,
      attemptId: null,
      sentAt: null,
      notBefore,
    })
    .where(and(eq(predictions.attemptId, attemptId), inArray(predictions.status, [...SENT_STATUSES])));
}

/** What happened to one reported state. */
export type Applied =
  /** The state changed the prediction (and maybe ended the job). */
  | { outcome: "applied"; prediction: PredictionRow; jobEnded?: JobEnd }
  /** This delivery was applied before. */
  | { outcome: "duplicate" }
  /** The prediction has moved on (a terminal state, a newer attempt, an ended job) or is unknown. */
  | { outcome: "stale" };

export interface JobEnd {
  job: JobRow;
  status: "succeeded" | "failed";
  /** Storage keys of outputs removed because the job failed: delete them after the commit. */
  removedKeys: string[];
  predictSeconds: number;
}

export interface ReportedState {
  /** Which attempt it is about: ours (the webhook URL's `attempt`) … */
  attemptId?: string | undefined;
  /** … or the provider's id (a poll). */
  providerId: string;
  status: PredictionRow["status"];
  predictSeconds: number | null;
  /** For a failure: why the style would be missing. */
  reason?: MissingReason | undefined;
  /** Recorded with the change; a second delivery with it is a duplicate. */
  deliveryId?: string | undefined;
  /** For a success: output rows whose files are already in storage. */
  outputRows?: OutputInsert[] | undefined;
  /** For a failure that will be retried: not to be sent again before this. */
  notBefore?: Date | undefined;
}

/** The open prediction a state is about, with its job, read without locks (to prepare work). */
export async function findOpenAttempt(
  db: DbOrTx,
  key: { attemptId?: string | undefined; providerId: string },
): Promise<{ prediction: PredictionRow; job: JobRow } | undefined> {
  const [row] = await db
    .select({ prediction: predictions, job: jobs })
    .from(predictions)
    .innerJoin(jobs, eq(jobs.id, predictions.jobId))
    .where(and(attemptMatch(key), inArray(predictions.status, [...SENT_STATUSES])));
  return row;
}

export async function isDelivered(db: DbOrTx, deliveryId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: engineDeliveries.id })
    .from(engineDeliveries)
    .where(eq(engineDeliveries.id, deliveryId));
  return Boolean(row);
}

function attemptMatch(key: { attemptId?: string | undefined; providerId: string }) {
  return key.attemptId
    ? and(
        eq(predictions.attemptId, key.attemptId),
        or(isNull(predictions.providerId), eq(predictions.providerId, key.providerId)),
      )
    : eq(predictions.providerId, key.providerId);
}

/**
 * Applies one reported state of a prediction; see `Applied`. `found`: the caller's own read of
 * the attempt (findOpenAttempt), which the transaction checks again under its locks.
 */
export async function applyState(
  db: Database,
  state: ReportedState,
  now: Date,
  found?: { prediction: PredictionRow; job: JobRow },
): Promise<Applied> {
  found ??= await findOpenAttempt(db, state);
  if (!found) {
    return state.deliveryId && (await isDelivered(db, state.deliveryId))
      ? { outcome: "duplicate" }
      : { outcome: "stale" };
  }
  return db.transaction(async (tx): Promise<Applied> => {
    const [job] = await tx
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, found.job.id), inArray(jobs.status, [...ACTIVE_JOB_STATUSES])))
      .for("update");
    if (!job) return { outcome: "stale" };
    if (state.deliveryId) {
      const [recorded] = await tx
        .insert(engineDeliveries)
        .values({ id: state.deliveryId, predictionId: found.prediction.id, receivedAt: now })
        .onConflictDoNothing()
        .returning({ id: engineDeliveries.id });
      if (!recorded) return { outcome: "duplicate" };
    }
    const [current] = await tx
      .select()
      .from(predictions)
      .where(and(eq(predictions.id, found.prediction.id), attemptMatch(state)))
      .for("update");
    if (!current || !(SENT_STATUSES as readonly string[]).includes(current.status)) {
      return { outcome: "stale" };
    }
    const prediction = await changePrediction(tx, current, state, now);
    if (state.status === "succeeded" && state.outputRows?.length) {
      await tx.insert(outputs).values(state.outputRows);
    }
    const jobEnded = await endJobIfDone(tx, job, now);
    return { outcome: "applied", prediction, ...(jobEnded ? { jobEnded } : {}) };
  });
}

async function changePrediction(tx: Tx, current: PredictionRow, state: ReportedState, now: Date) {
  const seconds = sql`${predictions.predictSeconds} + ${state.predictSeconds ?? 0}`;
  const terminal = state.status === "succeeded" || state.status === "failed" || state.status === "canceled";
  let set: Partial<typeof predictions.$inferInsert> | Record<string, unknown>;
  if (!terminal) {
    set = { status: state.status, providerId: current.providerId ?? state.providerId };
  } else if (state.status === "succeeded") {
    set = { status: "succeeded", missingReason: null, finishedAt: now, predictSeconds: seconds };
  } else if (current.attempts < MAX_ATTEMPTS) {
    // Back to the queue of the instance holding the photo (if it died, the reconciler fails it);
    // the old attempt's ids go, so its late callbacks find nothing.
    set = {
      status: "pending",
      attemptId: null,
      providerId: null,
      sentAt: null,
      notBefore: state.notBefore ?? null,
      missingReason: state.reason ?? "FAILED",
      predictSeconds: seconds,
    };
  } else {
    set = {
      status: "failed",
      missingReason: state.reason ?? "FAILED",
      finishedAt: now,
      predictSeconds: seconds,
    };
  }
  const [row] = await tx.update(predictions).set(set).where(eq(predictions.id, current.id)).returning();
  return row!;
}

/**
 * Ends the job once none of its predictions is open: succeeded when at least half of its styles
 * came back (the rest listed as missing), else failed with its credits refunded and its outputs
 * removed. Otherwise moves its progress on.
 */
export async function endJobIfDone(tx: Tx, job: JobRow, now: Date): Promise<JobEnd | undefined> {
  const rows = await tx
    .select({ status: predictions.status, predictSeconds: predictions.predictSeconds })
    .from(predictions)
    .where(eq(predictions.jobId, job.id));
  const open = rows.filter((r) => (OPEN_STATUSES as readonly string[]).includes(r.status)).length;
  if (open > 0) {
    const done = (rows.length - open) / rows.length;
    await tx
      .update(jobs)
      .set({
        status: "processing",
        stage: "generating",
        progress: GENERATING_FROM + done * (GENERATING_TO - GENERATING_FROM),
      })
      .where(eq(jobs.id, job.id));
    return undefined;
  }
  const predictSeconds = rows.reduce((sum, r) => sum + r.predictSeconds, 0);
  const succeeded = rows.filter((r) => r.status === "succeeded").length;
  if (succeeded * 2 >= rows.length && succeeded > 0) {
    await tx
      .update(jobs)
      .set({ status: "succeeded", stage: "storing", progress: 1, finishedAt: now })
      .where(eq(jobs.id, job.id));
    return { job, status: "succeeded", removedKeys: [], predictSeconds };
  }
  await endJobWithRefund(
    tx,
    job.id,
    {
      status: "failed",
      code: "UNAVAILABLE",
      reason: "TOO_FEW_STYLES",
      message: `Only ${succeeded} of your ${rows.length} AI studio headshots could be made, so we refunded all ${job.credits} credits. Please try again, or try Instant studio.`,
    },
    now,
  );
  const removed = await tx.delete(outputs).where(eq(outputs.jobId, job.id)).returning();
  return {
    job,
    status: "failed",
    removedKeys: removed.flatMap((o) => [o.storageKey, o.thumbStorageKey]),
    predictSeconds,
  };
}

/**
 * Ends every open prediction of a job that was canceled, or of every job of a user being erased:
 * returns those the provider was running, to be canceled there.
 */
export async function cancelOpenPredictions(
  db: DbOrTx,
  of: { jobId: string } | { userId: string },
  now: Date,
): Promise<PredictionRow[]> {
  const jobsOf =
    "jobId" in of
      ? eq(predictions.jobId, of.jobId)
      : inArray(predictions.jobId, db.select({ id: jobs.id }).from(jobs).where(eq(jobs.userId, of.userId)));
  const rows = await db
    .update(predictions)
    .set({ status: "canceled", missingReason: null, finishedAt: now })
    .where(and(jobsOf, inArray(predictions.status, [...OPEN_STATUSES])))
    .returning();
  return rows.filter((r) => r.attemptId !== null);
}

/** Pending predictions of these jobs whose wait (if any) is over, oldest first. */
export function sendable(db: DbOrTx, jobIds: string[], now: Date) {
  return db
    .select()
    .from(predictions)
    .where(
      and(
        inArray(predictions.jobId, jobIds),
        eq(predictions.status, "pending"),
        or(isNull(predictions.notBefore), lte(predictions.notBefore, now)),
      ),
    )
    .orderBy(asc(predictions.createdAt), asc(predictions.id));
}

/** Open predictions per job (sent ones count against REMOTE_ENGINE_PARALLEL). */
export async function openCounts(db: DbOrTx, jobIds: string[]) {
  const rows = await db
    .select({ jobId: predictions.jobId, status: predictions.status, n: sql<number>`count(*)::int` })
    .from(predictions)
    .where(and(inArray(predictions.jobId, jobIds), inArray(predictions.status, [...OPEN_STATUSES])))
    .groupBy(predictions.jobId, predictions.status);
  const counts = new Map<string, { open: number; sent: number }>();
  for (const r of rows) {
    const c = counts.get(r.jobId) ?? { open: 0, sent: 0 };
    c.open += r.n;
    if (r.status !== "pending") c.sent += r.n;
    counts.set(r.jobId, c);
  }
  return counts;
}

/**
 * Claims up to `limit` sent predictions older than `sentBefore` that no reconciler looked at
 * since `polledBefore`: the claim (polled_at) is written under SKIP LOCKED, so two instances
 * reconciling at once take different rows and each prediction is looked at once.
 */
export async function claimOverdue(
  db: Database,
  opts: { sentBefore: Date; polledBefore: Date; now: Date; limit: number },
): Promise<PredictionRow[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: predictions.id })
      .from(predictions)
      .where(
        and(
          inArray(predictions.status, [...SENT_STATUSES]),
          lt(predictions.sentAt, opts.sentBefore),
          or(isNull(predictions.polledAt), lt(predictions.polledAt, opts.polledBefore)),
        ),
      )
      .orderBy(asc(predictions.sentAt))
      .limit(opts.limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(predictions)
      .set({ polledAt: opts.now })
      .where(
        inArray(
          predictions.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}

/**
 * Fails the pending predictions of jobs whose instance died: the photo was only in its memory,
 * so nobody can send them. Ends those jobs as their remaining styles allow.
 */
export async function failOrphanedPending(db: Database, now: Date): Promise<JobEnd[]> {
  const orphans = await db
    .select({ jobId: predictions.jobId })
    .from(predictions)
    .innerJoin(jobs, eq(jobs.id, predictions.jobId))
    .where(and(eq(predictions.status, "pending"), ranOnDeadInstance(db, now)))
    .groupBy(predictions.jobId)
    .limit(50);
  const ended: JobEnd[] = [];
  for (const { jobId } of orphans) {
    const end = await db.transaction(async (tx) => {
      const [job] = await tx
        .select()
        .from(jobs)
        .where(and(eq(jobs.id, jobId), inArray(jobs.status, [...ACTIVE_JOB_STATUSES])))
        .for("update", { skipLocked: true });
      if (!job) return undefined;
      await tx
        .update(predictions)
        .set({ status: "failed", missingReason: "UNAVAILABLE", finishedAt: now })
        .where(and(eq(predictions.jobId, jobId), eq(predictions.status, "pending")));
      return endJobIfDone(tx, job, now);
    });
    if (end) ended.push(end);
  }
  return ended;
}
