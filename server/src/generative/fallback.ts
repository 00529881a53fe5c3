// When the GPU provider can't be reached as a job starts (SPEC §7.3 "Fallback"): with
// ENGINE_FALLBACK=studio the job becomes a studio job — it records the engine that runs it, costs
// the studio price and gets the difference back in the same transaction; without a fallback it
// fails with every credit refunded.
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client";
import { jobs, predictions } from "../db/schema";
import { applyLedgerEntry } from "../domain/credits";
import { STUDIO_CREDITS } from "../domain/engine-offers";
import { ACTIVE_JOB_STATUSES, endJobWithRefund, type JobRow } from "../jobs/jobs";

/** The job, now on the studio engine; undefined when it had already ended (e.g. canceled). */
export async function switchToStudio(db: Database, jobId: string): Promise<JobRow | undefined> {
  return db.transaction(async (tx) => {
    const [job] = await tx
      .select()
      .from(jobs)
      // Only a job still on AI studio: its styles fail together, and every failure asks to switch;
      // the first switches, the others find the studio engine already running it.
      .where(
        and(
          eq(jobs.id, jobId),
          eq(jobs.engine, "generative"),
          inArray(jobs.status, [...ACTIVE_JOB_STATUSES]),
        ),
      )
      .for("update");
    if (!job) return undefined;
    await tx.delete(predictions).where(eq(predictions.jobId, jobId));
    const [studio] = await tx
      .update(jobs)
      .set({ engine: "studio", credits: STUDIO_CREDITS, stage: "validating", progress: 0 })
      .where(eq(jobs.id, jobId))
      .returning();
    const difference = job.credits - STUDIO_CREDITS;
    if (job.charged && difference > 0) {
      await applyLedgerEntry(tx, { userId: job.userId, kind: "refund_generation", delta: difference, jobId });
    }
    return studio;
  });
}

/** No provider and no fallback: the job fails, refunded in full, its styles marked unavailable. */
export async function failUnreachable(db: Database, jobId: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const ended = await endJobWithRefund(
      tx,
      jobId,
      {
        status: "failed",
        code: "UNAVAILABLE",
        reason: "ENGINE_UNAVAILABLE",
        message:
          "AI studio can't be reached right now. Your credits were refunded; please try again in a few minutes, or use Instant studio.",
      },
      now,
    );
    if (ended) {
      await tx
        .update(predictions)
        .set({ status: "failed", missingReason: "UNAVAILABLE", finishedAt: now })
        .where(
          and(
            eq(predictions.jobId, jobId),
            inArray(predictions.status, ["pending", "starting", "processing"]),
          ),
        );
    }
    return ended;
  });
}
