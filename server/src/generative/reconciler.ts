// The reconciler (SPEC §7.3), run on every instance: what callbacks alone would miss.
//   - A prediction older than REMOTE_ENGINE_TIMEOUT_S is canceled at the provider and counts as a
//     failed attempt (TIMEOUT), retried once like any failure.
//   - A prediction whose callback is more than 60 s late is polled (Replicate; Cog has no polling,
//     its timeout covers it) and the answer applied as a callback would be.
//   - Pending styles of a job whose instance died can never be sent (the photo was only in its
//     memory): they fail as UNAVAILABLE and the job ends with what it has.
// Rows are claimed under FOR UPDATE SKIP LOCKED, so instances reconciling at once share the work
// and each prediction is asked about once.
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { databaseNow } from "../jobs/instances";
import type { Logger } from "../logger";
import type { GenerativeEngine } from "./generative-engine";
import { claimOverdue, failOrphanedPending, type PredictionRow } from "./predictions";

export interface ReconcilerOptions {
  db: Database;
  engine: GenerativeEngine;
  clock: Clock;
  logger: Logger;
  timeoutS: number;
  /** A callback this late gets its prediction polled (SPEC: 60 s). */
  lateMs?: number;
  everyMs?: number;
}

const BATCH = 20;
export const LATE_CALLBACK_MS = 60_000;
export const RECONCILE_EVERY_MS = 10_000;

export interface ReconcilePass {
  timedOut: number;
  polled: number;
  orphaned: number;
}

/** One pass; exported for tests, which step it instead of waiting for the timer. */
export async function reconcileOnce(options: ReconcilerOptions): Promise<ReconcilePass> {
  const { db, engine, clock } = options;
  const lateMs = options.lateMs ?? LATE_CALLBACK_MS;
  const now = clock.now();
  const provider = engine.provider;

  const timedOut = await claimOverdue(db, {
    sentBefore: new Date(now.getTime() - options.timeoutS * 1000),
    polledBefore: new Date(now.getTime() + 1),
    now,
    limit: BATCH,
  });
  for (const row of timedOut) {
    const id = providerIdOf(row, provider.kind);
    if (id) await provider.cancel(id).catch(() => undefined);
    await engine.apply({
      attemptId: row.attemptId ?? undefined,
      state: {
        providerId: row.providerId ?? row.attemptId ?? "",
        status: "failed",
        outputs: [],
        error: "timed out",
        predictSeconds: null,
      },
      reason: "TIMEOUT",
    });
  }

  const late = await claimOverdue(db, {
    sentBefore: new Date(now.getTime() - lateMs),
    // Asked again only after as long again: a slow pass elsewhere can't make it poll twice.
    polledBefore: new Date(now.getTime() - lateMs),
    now,
    limit: BATCH,
  });
  let polled = 0;
  for (const row of late) {
    if (!row.providerId) continue;
    const state = await provider.poll(row.providerId).catch(() => undefined);
    if (!state) continue;
    polled += 1;
    await engine.apply({ attemptId: row.attemptId ?? undefined, state });
  }

  const orphaned = await failOrphanedPending(db, await databaseNow(db));
  await engine.jobsEnded(orphaned);
  return { timedOut: timedOut.length, polled, orphaned: orphaned.length };
}

function providerIdOf(row: PredictionRow, kind: string): string | null {
  return row.providerId ?? (kind === "cog" ? row.attemptId : null);
}

/** Reconciles on a timer until stopped. */
export function startReconciler(options: ReconcilerOptions): { stop(): Promise<void> } {
  let current: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (current) return; // a pass still running (a slow provider) is not overlapped
    current = reconcileOnce(options)
      .catch((err: unknown) => options.logger.error({ err }, "reconciling predictions failed"))
      .finally(() => (current = undefined));
  }, options.everyMs ?? RECONCILE_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
