// Retention (SPEC §9, §11): what is deleted when, declared as data — name, schedule, handler —
// and run by the in-server scheduler or `npm run support -- run-retention`. Every handler takes
// `now` from the caller, is idempotent, and works in batches claimed with FOR UPDATE SKIP LOCKED,
// so several instances running the same job at once split the work instead of colliding.
import { isUuid } from "@headshot/shared";
import { and, inArray, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Config } from "../config/config";
import { rowsOf, type Database } from "../db/client";
import {
  erasedSubjects,
  idempotencyKeys,
  jobs,
  outputs,
  processedWebhookEvents,
  supportLoginFailures,
  supportSessions,
} from "../db/schema";
import { ACTIVE_JOB_STATUSES, IDEMPOTENCY_WINDOW_MS } from "../jobs/jobs";
import type { Logger } from "../logger";
import type { Storage } from "../storage/storage";
import { FAILURES_FORGOTTEN_MS } from "../support/login-throttle";
import { SESSION_IDLE_MS } from "../support/sessions";

export interface RetentionDeps {
  db: Database;
  storage: Storage;
  config: Pick<Config, "OUTPUT_RETENTION_DAYS" | "JOB_LOG_RETENTION_DAYS">;
  logger: Logger;
}

export interface RetentionJob {
  name: string;
  /** How often the scheduler runs it. */
  everyMs: number;
  /** Deletes what is due at `now`; returns how many rows or files went. */
  run(deps: RetentionDeps, now: Date): Promise<number>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BATCH = 200;

export const WEBHOOK_EVENT_RETENTION_MS = 90 * DAY;
/** Far beyond any token's life: by then no token from before the erasure can still be valid. */
export const ERASED_SUBJECT_RETENTION_MS = 30 * DAY;
/** A temp file this old belongs to a write that crashed: puts take milliseconds, not an hour. */
const ABANDONED_WRITE_MS = HOUR;

const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);

export const RETENTION_JOBS: readonly RetentionJob[] = [
  {
    name: "expired-outputs",
    everyMs: 15 * MINUTE,
    // Expired by their own date, or older than the retention now configured (it may have shrunk).
    run: (deps, now) =>
      deleteOutputsWithFiles(
        deps,
        or(
          lte(outputs.expiresAt, now),
          lte(outputs.createdAt, ago(now, deps.config.OUTPUT_RETENTION_DAYS * DAY)),
        )!,
      ),
  },
  {
    name: "job-metadata",
    everyMs: HOUR,
    run: (deps, now) => deleteOldJobs(deps, ago(now, deps.config.JOB_LOG_RETENTION_DAYS * DAY)),
  },
  {
    name: "idempotency-keys",
    everyMs: HOUR,
    run: deleteOlderThan(idempotencyKeys, idempotencyKeys.createdAt, IDEMPOTENCY_WINDOW_MS),
  },
  {
    name: "support-sessions",
    everyMs: 15 * MINUTE,
    run: (deps, now) =>
      deleteInBatches(
        deps.db,
        supportSessions,
        or(lte(supportSessions.expiresAt, now), lte(supportSessions.lastSeenAt, ago(now, SESSION_IDLE_MS)))!,
      ),
  },
  {
    name: "support-login-failures",
    everyMs: HOUR,
    run: deleteOlderThan(supportLoginFailures, supportLoginFailures.lastFailureAt, FAILURES_FORGOTTEN_MS),
  },
  {
    name: "erased-subjects",
    everyMs: HOUR,
    run: deleteOlderThan(erasedSubjects, erasedSubjects.erasedAt, ERASED_SUBJECT_RETENTION_MS),
  },
  {
    name: "webhook-events",
    everyMs: 6 * HOUR,
    run: deleteOlderThan(
      processedWebhookEvents,
      processedWebhookEvents.processedAt,
      WEBHOOK_EVENT_RETENTION_MS,
    ),
  },
  {
    name: "orphan-files",
    everyMs: 6 * HOUR,
    run: (deps, now) => deleteOrphanFiles(deps, now),
  },
];

/** Runs the named jobs (all by default) once, in order; returns what each deleted. */
export async function runRetention(
  deps: RetentionDeps,
  now: Date,
  names?: readonly string[],
): Promise<Record<string, number>> {
  const unknown = names?.filter((n) => !RETENTION_JOBS.some((j) => j.name === n)) ?? [];
  if (unknown.length) throw new Error(`unknown retention job: ${unknown.join(", ")}`);
  const results: Record<string, number> = {};
  for (const job of RETENTION_JOBS) {
    if (names && !names.includes(job.name)) continue;
    results[job.name] = await job.run(deps, now);
  }
  return results;
}

/** A job that deletes the rows whose `column` is `ms` or more before the run. */
function deleteOlderThan(table: PgTable, column: PgColumn, ms: number): RetentionJob["run"] {
  return (deps, now) => deleteInBatches(deps.db, table, lte(column, ago(now, ms)));
}

/** Deletes matching rows batch by batch; rows another instance holds are left to it. */
async function deleteInBatches(db: Database, table: PgTable, where: SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = rowsOf(
      await db.execute(sql`
        delete from ${table} where ctid in (
          select ctid from ${table} where ${where} limit ${BATCH} for update skip locked
        ) returning 1 as gone`),
    ).length;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/**
 * Outputs go with their files. The files are deleted while the rows are locked and before the rows:
 * a crash in between leaves rows whose (already missing) files the next run deletes again.
 */
async function deleteOutputsWithFiles(deps: RetentionDeps, where: SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deps.db.transaction(async (tx) => {
      const batch = await tx
        .select({ id: outputs.id, image: outputs.storageKey, thumb: outputs.thumbStorageKey })
        .from(outputs)
        .where(where)
        .limit(BATCH)
        .for("update", { skipLocked: true });
      if (!batch.length) return 0;
      await deps.storage.delete(batch.flatMap((o) => [o.image, o.thumb]));
      await tx.delete(outputs).where(
        inArray(
          outputs.id,
          batch.map((o) => o.id),
        ),
      );
      return batch.length;
    });
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** Finished jobs older than the cutoff, with any outputs they still have (and those files). */
async function deleteOldJobs(deps: RetentionDeps, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deps.db.transaction(async (tx) => {
      const batch = await tx
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(lte(jobs.createdAt, cutoff), notInArray(jobs.status, [...ACTIVE_JOB_STATUSES])))
        .limit(BATCH)
        .for("update", { skipLocked: true });
      if (!batch.length) return 0;
      const ids = batch.map((j) => j.id);
      const files = await tx
        .select({ image: outputs.storageKey, thumb: outputs.thumbStorageKey })
        .from(outputs)
        .where(inArray(outputs.jobId, ids))
        .for("update");
      if (files.length) await deps.storage.delete(files.flatMap((o) => [o.image, o.thumb]));
      // Outputs and idempotency keys cascade; ledger entries keep their row with the job link NULL.
      await tx.delete(jobs).where(inArray(jobs.id, ids));
      return batch.length;
    });
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/**
 * Files under outputs/ that no output row claims and whose job is not running: left behind by an
 * erasure interrupted after its commit, or by a job that died between writing files and rows —
 * plus temp files of writes that crashed before their rename.
 * Keys are `outputs/<user>/<job>/<output>.<ext>` (storage.ts); anything else is not ours to judge.
 */
async function deleteOrphanFiles(deps: RetentionDeps, now: Date): Promise<number> {
  const keys = await deps.storage.list("outputs/");
  const parsed = keys.flatMap((key) => {
    const [, , jobId, file] = key.split("/");
    const outputId = file?.split(".")[0];
    return jobId && outputId && isUuid(jobId) && isUuid(outputId) ? [{ key, jobId, outputId }] : [];
  });
  let total = 0;
  for (let i = 0; i < parsed.length; i += BATCH) {
    const slice = parsed.slice(i, i + BATCH);
    // Running jobs first, THEN output rows, never in parallel: a job stores its output rows and
    // leaves `processing` in one commit. Asked in this order, a job that commits in between was
    // still running at the first question and has its rows at the second; asked the other way
    // round (or at once), it could have no rows yet AND be no longer running, losing its files.
    const running = await deps.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(
          inArray(jobs.id, [...new Set(slice.map((p) => p.jobId))]),
          inArray(jobs.status, [...ACTIVE_JOB_STATUSES]),
        ),
      );
    const known = await deps.db
      .select({ id: outputs.id })
      .from(outputs)
      .where(inArray(outputs.id, [...new Set(slice.map((p) => p.outputId))]));
    const keep = new Set([...known.map((r) => r.id), ...running.map((r) => r.id)]);
    const orphans = slice.filter((p) => !keep.has(p.outputId) && !keep.has(p.jobId)).map((p) => p.key);
    if (orphans.length) await deps.storage.delete(orphans);
    total += orphans.length;
  }
  return total + (await deps.storage.deleteAbandonedWrites("outputs/", ago(now, ABANDONED_WRITE_MS)));
}
