// Crash safety (SPEC §6.2): each process beats in the instances table; a sweep (at start-up and
// every 10 s, on any instance) fails and refunds the queued or processing jobs of an instance that
// went silent for 30 s — their photos died with that process's memory, so they can never run.
// (Generative jobs are not swept: their state is in PostgreSQL, see generative/reconciler.ts.)
// The running keeper beats and sweeps by the database's clock, shared by every instance, so a
// server whose own clock is off can't make a live instance look silent.
import { and, eq, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { rowsOf, type Database, type DbOrTx } from "../db/client";
import { instances, jobs } from "../db/schema";
import type { Logger } from "../logger";
import { ACTIVE_JOB_STATUSES, endJobWithRefund } from "./jobs";

export const HEARTBEAT_INTERVAL_MS = 10_000;
export const SILENCE_LIMIT_MS = 30_000;
const SWEEP_BATCH = 100;

export async function heartbeat(db: Database, instanceId: string, now: Date): Promise<void> {
  await db
    .insert(instances)
    .values({ id: instanceId, startedAt: now, heartbeatAt: now })
    .onConflictDoUpdate({ target: instances.id, set: { heartbeatAt: now, stoppedAt: null } });
}

/** Marks this instance as stopped, so sweepers need not wait 30 s for what it left behind. */
export async function markStopped(db: Database, instanceId: string, now: Date): Promise<void> {
  await db.update(instances).set({ stoppedAt: now }).where(eq(instances.id, instanceId));
}

/** SQL true when the job's instance is gone: silent for 30 s, stopped, or never recorded. */
export function ranOnDeadInstance(db: DbOrTx, now: Date): SQL {
  const silentSince = new Date(now.getTime() - SILENCE_LIMIT_MS);
  const dead = db
    .select({ id: instances.id })
    .from(instances)
    .where(or(lt(instances.heartbeatAt, silentSince), isNotNull(instances.stoppedAt)));
  return or(
    inArray(jobs.instanceId, dead),
    sql`not exists (select 1 from ${instances} where ${instances.id} = ${jobs.instanceId})`,
  )!;
}

/**
 * Fails and refunds the active studio jobs of dead instances. Rows are locked with SKIP LOCKED
 * so concurrent sweepers split the work, and endJobWithRefund's status guard refunds each job
 * once. Generative jobs live on in PostgreSQL and at the provider: the reconciler sees to them.
 */
export async function sweepDeadInstances(db: Database, now: Date): Promise<number> {
  let swept = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const orphans = await tx
        .select({ id: jobs.id })
        .from(jobs)
        .where(
          and(
            inArray(jobs.status, [...ACTIVE_JOB_STATUSES]),
            eq(jobs.engine, "studio"),
            ranOnDeadInstance(tx, now),
          ),
        )
        .limit(SWEEP_BATCH)
        .for("update", { skipLocked: true });
      let ended = 0;
      for (const orphan of orphans) {
        const refunded = await endJobWithRefund(
          tx,
          orphan.id,
          {
            status: "failed",
            code: "UNAVAILABLE",
            reason: "INSTANCE_LOST",
            message:
              "The server handling your headshots restarted before they were ready. Your credit was refunded; please try again.",
          },
          now,
        );
        if (refunded) ended += 1;
      }
      return { found: orphans.length, ended };
    });
    swept += batch.ended;
    if (batch.found < SWEEP_BATCH) return swept;
  }
}

export interface InstanceKeeper {
  stop(): Promise<void>;
}

/**
 * Beats and sweeps on a timer until stopped; the first beat and sweep happen before it returns.
 * `exclusive`: this process is the only one that can use the database (PGlite), so every other
 * instance on record is already dead and its jobs are refunded at once instead of after 30 s.
 */
export async function startInstanceKeeper(deps: {
  db: Database;
  logger: Logger;
  instanceId: string;
  exclusive: boolean;
}): Promise<InstanceKeeper> {
  const { db, logger, instanceId } = deps;
  if (deps.exclusive) {
    await db
      .update(instances)
      .set({ stoppedAt: await databaseNow(db) })
      .where(and(ne(instances.id, instanceId), isNull(instances.stoppedAt)));
  }
  const tick = async () => {
    const now = await databaseNow(db);
    await heartbeat(db, instanceId, now);
    const swept = await sweepDeadInstances(db, now);
    if (swept > 0) logger.warn({ swept }, "failed and refunded jobs of instances that stopped");
  };
  await tick();
  let current: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    current = tick().catch((err) => logger.error({ err }, "heartbeat or sweep failed"));
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
      await markStopped(db, instanceId, await databaseNow(db));
    },
  };
}

/** The database server's current time. */
export async function databaseNow(db: Database): Promise<Date> {
  const [row] = rowsOf<{ now: Date | string }>(await db.execute(sql`select now() as now`));
  if (!row) throw new Error("the database did not tell the time");
  return new Date(row.now);
}
