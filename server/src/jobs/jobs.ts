// Generation jobs (SPEC §6.2): creating one (consent, restriction, charge, job, idempotency key in
// one transaction), reading them as the API's Job shape, and ending them — every failure or
// cancel refunds exactly once, guarded by the job's status.
import { and, desc, eq, gt, inArray, isNull, lt, or, sql, type Placeholder } from "drizzle-orm";
import {
  isUuid,
  type Aspect,
  type Attire,
  type EngineId,
  type Job,
  type JobStage,
  type MissingStyle,
  type StyleId,
} from "@headshot/shared";
import type { Config } from "../config/config";
import type { Database, DbOrTx, Tx } from "../db/client";
import { batchedRead } from "../db/batched-read";
import { jsonValue } from "../db/json-value";
import { preparedPerDatabase } from "../db/prepared";
import { idempotencyKeys, jobs, outputs, predictions, users } from "../db/schema";
import { requireConsent } from "../domain/consent";
import { applyLedgerEntry } from "../domain/credits";
import { subjectId, userField, type CanvaSubject, type UserRow } from "../domain/users";
import { ApiError } from "../http/api-error";
import { requireNotRestricted } from "../privacy/restriction";
import type { Storage } from "../storage/storage";
import { decodeCursor, encodeCursor } from "./history-cursor";
import { jobOutputUrls, type signedOutputUrls } from "./output-urls";
import type { JobRunner } from "./runner";

export type JobRow = typeof jobs.$inferSelect;
export type OutputRow = typeof outputs.$inferSelect;

/** An output as a job view carries it: its columns in this order, the timestamp as PostgreSQL
 * writes one in JSON. */
type OutputViewTuple = [
  id: string,
  style: string,
  aspect: string,
  width: number,
  height: number,
  mimeType: string,
  thumbWidth: number,
  thumbHeight: number,
  expiresAt: string,
];

/** What the API's Job shape reads of a job (the hot reads, poll and history, fetch no more): its
 * columns, its owner, and its live outputs. */
type JobViewRow = Pick<
  JobRow,
  | "id"
  | "status"
  | "engine"
  | "attire"
  | "progress"
  | "stage"
  | "styles"
  | "aspects"
  | "createdAt"
  | "finishedAt"
  | "errorCode"
  | "errorReason"
  | "errorMessage"
> & { ownerId: string; outputs: OutputViewTuple[] };

/** A job view as `jobViewJson` gives it: JobViewRow's fields in this order, timestamps as text. */
type JobViewTuple = [
  id: string,
  status: JobRow["status"],
  engine: string,
  attire: string | null,
  progress: number,
  stage: string,
  styles: string[],
  aspects: string[],
  createdAt: string,
  finishedAt: string | null,
  errorCode: string | null,
  errorReason: string | null,
  errorMessage: string | null,
  ownerId: string,
  outputs: OutputViewTuple[],
];

/**
 * The job view of the `jobs` row in the enclosing query as one JSON array, its live outputs (oldest
 * first) the last element: one field for the driver to read and drizzle to map, where the same
 * view field by field is fifteen at ~0.13 µs each, and a job with twelve outputs is one row, not
 * twelve each repeating the job's columns. Arrays, not objects: PostgreSQL builds them at about
 * half the cost (every key is one more argument to `json_build_object`; README, Performance).
 * Written as SQL text, table-qualified: in a query on one table drizzle writes its columns
 * unqualified, which inside the outputs' subquery would name the output's. Map it with
 * `toJobViewRow`.
 */
function jobViewJson(now: Placeholder) {
  return sql`json_build_array(
    jobs.id, jobs.status, jobs.engine, jobs.attire, jobs.progress, jobs.stage, jobs.styles, jobs.aspects,
    jobs.created_at, jobs.finished_at, jobs.error_code, jobs.error_reason, jobs.error_message, jobs.user_id,
    coalesce((
      select json_agg(json_build_array(
        o.id, o.style, o.aspect, o.width, o.height, o.mime_type, o.thumb_width, o.thumb_height, o.expires_at
      ) order by o.created_at, o.id)
      from outputs o
      where o.job_id = jobs.id and o.expires_at > ${now}::timestamptz
    ), '[]'::json)
  )`;
}

/** A `jobViewJson` value as a row. */
function toJobViewRow(value: unknown): JobViewRow {
  const t = jsonValue<JobViewTuple>(value);
  return {
    id: t[0],
    status: t[1],
    engine: t[2],
    attire: t[3],
    progress: t[4],
    stage: t[5],
    styles: t[6],
    aspects: t[7],
    createdAt: new Date(t[8]),
    finishedAt: t[9] === null ? null : new Date(t[9]),
    errorCode: t[10],
    errorReason: t[11],
    errorMessage: t[12],
    ownerId: t[13],
    outputs: t[14],
  };
}

/** The selected field of the job view (a query whose `jobs` row is always there). */
const jobViewField = (now: Placeholder) => sql<JobViewRow>`${jobViewJson(now)}`.mapWith(toJobViewRow);

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Jobs that still hold their credit and may still produce outputs. */
export const ACTIVE_JOB_STATUSES = ["queued", "processing"] as const;

export interface NewJob {
  user: UserRow;
  styles: StyleId[];
  aspects: Aspect[];
  engine: EngineId;
  /** Generative only: the attire asked for. */
  attire?: Attire | undefined;
  /** What the job costs, in credits (charged unless Premium pays). */
  credits: number;
  instanceId: string;
  idempotencyKey?: string | undefined;
  /** Canva Premium: the usage id replaces the credit charge. */
  premiumUsageId?: string | undefined;
  /** More rows the job needs, written in its transaction (a generative job's predictions). */
  withJob?: (tx: Tx, job: JobRow) => Promise<void>;
}

/** The job a still-valid idempotency key points at, if any. */
export async function findIdempotentJob(db: DbOrTx, userId: string, key: string, now: Date) {
  const [row] = await db
    .select({ job: jobs })
    .from(idempotencyKeys)
    .innerJoin(jobs, eq(jobs.id, idempotencyKeys.jobId))
    .where(
      and(
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.key, key),
        gt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)),
      ),
    );
  return row?.job;
}

/**
 * Charges and creates the job in one transaction. A concurrent request with the same
 * Idempotency-Key collides on the key's primary key, rolls back (no charge) and gets the first job.
 */
export async function createJob(
  db: Database,
  input: NewJob,
  now: Date,
): Promise<{ job: JobRow; replayed: boolean }> {
  const { user, idempotencyKey } = input;
  try {
    const job = await db.transaction(async (tx) => {
      // Re-read under the row lock the charge takes anyway (a share lock here would deadlock two
      // concurrent charges upgrading it): a restriction set since the request began still counts.
      const [current] = await tx
        .select({ restrictedAt: users.restrictedAt })
        .from(users)
        .where(eq(users.id, user.id))
        .for("update");
      requireNotRestricted(current ?? user);
      await requireConsent(tx, user.id);
      const [job] = await tx
        .insert(jobs)
        .values({
          userId: user.id,
          styles: input.styles,
          aspects: input.aspects,
          engine: input.engine,
          attire: input.attire,
          credits: input.credits,
          instanceId: input.instanceId,
          charged: !input.premiumUsageId,
          premiumUsageId: input.premiumUsageId,
          createdAt: now,
        })
        .returning();
      if (!input.premiumUsageId) {
        await applyLedgerEntry(tx, {
          userId: user.id,
          kind: "generation",
          delta: -input.credits,
          jobId: job!.id,
        });
      }
      await input.withJob?.(tx, job!);
      if (idempotencyKey) {
        // An expired key (older than 24 h) no longer counts: it is replaced.
        await tx
          .delete(idempotencyKeys)
          .where(
            and(
              eq(idempotencyKeys.userId, user.id),
              eq(idempotencyKeys.key, idempotencyKey),
              lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)),
            ),
          );
        await tx
          .insert(idempotencyKeys)
          .values({ userId: user.id, key: idempotencyKey, jobId: job!.id, createdAt: now });
      }
      return job!;
    });
    return { job, replayed: false };
  } catch (err) {
    if (isUniqueViolation(err)) {
      const first = idempotencyKey ? await findIdempotentJob(db, user.id, idempotencyKey, now) : undefined;
      if (first) return { job: first, replayed: true };
      if (input.premiumUsageId) {
        throw new ApiError(
          "CONFLICT",
          "This Canva premium session was already used for a generation. Please try again.",
        );
      }
    }
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}

/**
 * Ends an active job as failed or canceled and refunds its credits — once: only the caller whose
 * status update matched an active job refunds. Returns false when the job had already ended.
 */
export async function endJobWithRefund(
  db: DbOrTx,
  jobId: string,
  outcome: { status: "failed" | "canceled"; code: string; reason: string | null; message: string },
  now: Date,
): Promise<boolean> {
  const run = async (tx: DbOrTx) => {
    const [ended] = await tx
      .update(jobs)
      .set({
        status: outcome.status,
        errorCode: outcome.code,
        errorReason: outcome.reason,
        errorMessage: outcome.message,
        finishedAt: now,
        refundedAt: sql`case when ${jobs.charged} then ${now.toISOString()}::timestamptz end`,
      })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, [...ACTIVE_JOB_STATUSES]), isNull(jobs.refundedAt)))
      .returning();
    if (!ended) return false;
    if (ended.charged) {
      await applyLedgerEntry(tx, {
        userId: ended.userId,
        kind: "refund_generation",
        delta: ended.credits,
        jobId,
      });
    }
    return true;
  };
  return db.transaction(run);
}

/** Records progress of an active job (never resurrects an ended one). */
export async function recordProgress(db: DbOrTx, jobId: string, stage: JobStage, progress: number) {
  await db
    .update(jobs)
    .set({ stage, progress, status: "processing" })
    .where(and(eq(jobs.id, jobId), inArray(jobs.status, [...ACTIVE_JOB_STATUSES])));
}

/** One of the caller's jobs; another user's id is simply not found. */
export async function getOwnJob(db: DbOrTx, userId: string, jobId: string): Promise<JobRow> {
  if (!isUuid(jobId)) throw jobNotFound();
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, jobId), eq(jobs.userId, userId)));
  if (!job) throw jobNotFound();
  return job;
}

// One of the caller's jobs with its live outputs, in one round trip and one row.
const ownJobWithOutputsQuery = preparedPerDatabase((db) =>
  db
    .select({ job: jobViewField(sql.placeholder("now")) })
    .from(jobs)
    .where(and(eq(jobs.id, sql.placeholder("jobId")), eq(jobs.userId, sql.placeholder("userId"))))
    .prepare("own_job_with_outputs"),
);

/** One of the caller's jobs as the API's Job (after a create or a cancel). */
export async function ownJobView(
  db: Database,
  userId: string,
  jobId: string,
  config: Config,
  now: Date,
): Promise<Job> {
  if (!isUuid(jobId)) throw jobNotFound();
  const [row] = await ownJobWithOutputsQuery(db).execute({ jobId, userId, now: now.toISOString() });
  if (!row) throw jobNotFound();
  return jobView(db, row.job, config, now);
}

// A poll (GET /v1/headshots/:id, every 2 s from every waiting panel: the busiest route) in one
// round trip: the caller's user, found by their Canva identity as currentUser finds it, with the
// polled job and its live outputs when the job is theirs. Read in batches: the polls that arrive
// in one turn of the event loop are one query (db/batched-read.ts), their outputs live as of the
// latest of them. One row per poll whose caller has an account, numbered as the keys were sent.
// The job is found by its primary key alone and its owner compared here: asked to match the owner
// too, PostgreSQL may walk all of the user's jobs (their index) instead of the one asked for.
// Exported for its plan test (test/db/hot-read-plans.db.test.ts).
export const pollsQuery = preparedPerDatabase((db) =>
  db
    .select({
      n: sql<number>`polls.n`.mapWith(Number),
      user: userField(),
      // Null when no job has the id (the left join found none).
      job: sql<JobViewRow | null>`case when ${jobs.id} is null then null else ${jobViewJson(sql.placeholder("now"))} end`.mapWith(
        toJobViewRow,
      ),
    })
    .from(
      sql`unnest(${sql.placeholder("brandIds")}::text[], ${sql.placeholder("userIds")}::text[], ${sql.placeholder("jobIds")}::uuid[]) with ordinality as polls(brand_id, canva_user_id, job_id, n)`,
    )
    .innerJoin(users, sql`${users.brandId} = polls.brand_id and ${users.canvaUserId} = polls.canva_user_id`)
    .leftJoin(jobs, sql`${jobs.id} = polls.job_id`)
    .prepare("polls"),
);

interface PollKey {
  subject: CanvaSubject;
  jobId: string;
  now: Date;
}

/** What a poll reads: the caller's user, and the polled job when it is theirs. */
interface Poll {
  user: UserRow;
  job: JobViewRow | undefined;
}

// A uuid's case does not matter to PostgreSQL: polls of one job in either case share one read.
const pollId = (key: PollKey) => `${subjectId(key.subject)}\0${key.jobId.toLowerCase()}`;

const polls = batchedRead<PollKey, Poll>({
  idOf: pollId,
  async load(db, keys) {
    const now = new Date(Math.max(...keys.map((k) => k.now.getTime())));
    const rows = await pollsQuery(db).execute({
      brandIds: keys.map((k) => k.subject.brandId),
      userIds: keys.map((k) => k.subject.userId),
      jobIds: keys.map((k) => k.jobId),
      now: now.toISOString(),
    });
    const found = new Map<string, Poll>();
    for (const { n, user, job } of rows) {
      found.set(pollId(keys[n - 1]!), { user, job: job?.ownerId === user.id ? job : undefined });
    }
    return found;
  },
});

/**
 * A poll of one job by its caller's Canva identity: their user, and the job as the API's Job when
 * it is theirs. Undefined when the caller has no account (yet, or any more) or the id is no job's:
 * the route then finds its user as currentUser does.
 */
export async function pollOwnJob(
  db: Database,
  subject: CanvaSubject,
  jobId: string,
  config: Config,
  now: Date,
): Promise<{ user: UserRow; job: Job | undefined } | undefined> {
  if (!isUuid(jobId)) return undefined;
  const poll = await polls(db, { subject, jobId, now });
  if (!poll) return undefined;
  return { user: poll.user, job: poll.job && (await jobView(db, poll.job, config, now)) };
}

async function jobView(db: Database, job: JobViewRow, config: Config, now: Date): Promise<Job> {
  const missing = job.engine === "generative" ? await missingStyles(db, [job]) : undefined;
  return toJobView(job, config, now, missing?.get(job.id));
}

export function jobNotFound(): ApiError {
  return new ApiError("NOT_FOUND", "We couldn't find that headshot job.");
}

// The caller's history page with each job's live outputs, in one prepared query: the page's jobs
// (limit + 1, to know whether another page follows), newest first.
function historyQuery(db: Database, withCursor: boolean) {
  const now = sql.placeholder("now");
  return db
    .select({ job: jobViewField(now) })
    .from(jobs)
    .where(
      and(
        eq(jobs.userId, sql.placeholder("userId")),
        eq(jobs.status, "succeeded"),
        sql`exists (select 1 from outputs o where o.job_id = jobs.id and o.expires_at > ${now}::timestamptz)`,
        withCursor
          ? or(
              lt(jobs.createdAt, sql.placeholder("afterCreatedAt")),
              and(
                eq(jobs.createdAt, sql.placeholder("afterCreatedAt")),
                lt(jobs.id, sql.placeholder("afterId")),
              ),
            )
          : undefined,
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(sql.placeholder("limit"))
    .prepare(withCursor ? "history_page_after" : "history_page");
}
const historyFirstPage = preparedPerDatabase((db) => historyQuery(db, false));
const historyNextPage = preparedPerDatabase((db) => historyQuery(db, true));

/** The caller's history (GET /v1/headshots): jobs with unexpired outputs, newest first, by keyset cursor. */
export async function historyPage(
  db: Database,
  userId: string,
  config: Config,
  now: Date,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const params = { userId, now: now.toISOString(), limit: page.limit + 1 };
  const rows = after
    ? await historyNextPage(db).execute({
        ...params,
        afterCreatedAt: after.createdAt.toISOString(),
        afterId: after.id,
      })
    : await historyFirstPage(db).execute(params);
  const more = rows.length > page.limit;
  const pageJobs = rows.slice(0, page.limit).map((row) => row.job);
  const missing = await missingStyles(db, pageJobs);
  const lastJob = pageJobs.at(-1);
  return {
    jobs: pageJobs.map((job) => toJobView(job, config, now, missing.get(job.id))),
    nextCursor: more && lastJob ? encodeCursor(lastJob) : null,
  };
}

/** Styles of these generative jobs that ended without an image, for the API's `missing`. */
async function missingStyles(
  db: DbOrTx,
  rows: Pick<JobRow, "id" | "engine">[],
): Promise<Map<string, MissingStyle[]>> {
  const byJob = new Map<string, MissingStyle[]>();
  const ids = rows.filter((r) => r.engine === "generative").map((r) => r.id);
  if (ids.length === 0) return byJob;
  const missing = await db
    .select({ jobId: predictions.jobId, style: predictions.style, reason: predictions.missingReason })
    .from(predictions)
    .where(and(inArray(predictions.jobId, ids), eq(predictions.status, "failed")))
    .orderBy(predictions.createdAt);
  for (const m of missing) {
    const list = byJob.get(m.jobId) ?? [];
    list.push({ style: m.style as StyleId, reason: (m.reason as MissingStyle["reason"] | null) ?? "FAILED" });
    byJob.set(m.jobId, list);
  }
  return byJob;
}

/** The API's Job shape, with fresh signed links for its outputs. */
function toJobView(
  job: JobViewRow,
  config: Parameters<typeof signedOutputUrls>[0],
  now: Date,
  missing: MissingStyle[] = [],
): Job {
  return {
    id: job.id,
    status: job.status,
    engine: job.engine as EngineId,
    attire: (job.attire as Attire | null) ?? null,
    progress: job.status === "succeeded" ? 1 : job.progress,
    stage: job.stage as JobStage,
    styles: job.styles as StyleId[],
    aspects: job.aspects as Aspect[],
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    error: job.errorCode
      ? { code: job.errorCode, reason: job.errorReason, message: job.errorMessage ?? "The job failed." }
      : null,
    outputs: job.outputs.map(
      ([id, style, aspect, width, height, mimeType, thumbWidth, thumbHeight, expires]) => {
        const expiresAt = new Date(expires);
        return {
          id,
          style: style as StyleId,
          aspect: aspect as Aspect,
          width,
          height,
          mimeType,
          ...jobOutputUrls(config, { id, expiresAt }, now),
          thumbnailWidth: thumbWidth,
          thumbnailHeight: thumbHeight,
          expiresAt: expiresAt.toISOString(),
        };
      },
    ),
    missing,
  };
}

/** Deletes a job's outputs: rows first (links stop working at once), then their files. */
export async function deleteJobOutputs(db: DbOrTx, storage: Storage, jobId: string): Promise<void> {
  const removed = await db.delete(outputs).where(eq(outputs.jobId, jobId)).returning();
  await storage.delete(removed.flatMap((o) => [o.storageKey, o.thumbStorageKey]));
}

/**
 * Cancels an active job with its refund (nothing happens to an ended one). If it runs here the
 * engine stops now; on another instance, that instance discards its result when it tries to store.
 */
export async function cancelJob(
  db: DbOrTx,
  runner: Pick<JobRunner, "abort">,
  jobId: string,
  now: Date,
): Promise<void> {
  await endJobWithRefund(
    db,
    jobId,
    {
      status: "canceled",
      code: "CONFLICT",
      reason: "CANCELED",
      message: "You canceled this job; your credit was refunded.",
    },
    now,
  );
  runner.abort(jobId, "canceled");
}
