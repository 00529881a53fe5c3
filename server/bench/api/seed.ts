// The bench's data, written before the server starts through the same domain functions the routes
// use: users with consent and credits, finished jobs with their twelve outputs each (rows only:
// the reads under test sign links, they never open the files), and a job still rendering — what a
// waiting panel polls.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { ASPECT_IDS, CURRENT_POLICY_VERSION, STYLE_IDS } from "@headshot/shared";
import type { Config } from "../../src/config/config";
import type { Database } from "../../src/db/client";
import { jobs, outputs } from "../../src/db/schema";
import { recordConsent } from "../../src/domain/consent";
import { applyLedgerEntry } from "../../src/domain/credits";
import { ensureUser } from "../../src/domain/users";
import { createJob, recordProgress } from "../../src/jobs/jobs";

/** The instance the seeded jobs were made on. */
export const SEED_INSTANCE = "bench-seed";

export interface SeededUser {
  userId: string;
  brandId: string;
  /** Finished jobs, newest last. */
  jobIds: string[];
  /** A job still rendering, no outputs yet (with `waitingJob`). */
  waitingJobId?: string;
}

export async function seedUser(
  db: Database,
  config: Config,
  subject: { userId: string; brandId: string },
  opts: { credits: number; finishedJobs: number; waitingJob?: boolean },
): Promise<SeededUser> {
  const now = new Date();
  const user = await ensureUser(db, subject, {
    freeCredits: config.FREE_CREDITS,
    subjectSecret: config.fileUrlSecret,
  });
  await recordConsent(
    db,
    user.id,
    { policyVersion: CURRENT_POLICY_VERSION, photoProcessing: true, ageConfirmed18: true },
    now,
  );
  await applyLedgerEntry(db, {
    userId: user.id,
    kind: "support_adjustment",
    delta: opts.credits + opts.finishedJobs + (opts.waitingJob ? 1 : 0),
    note: "bench",
  });
  const newJob = async (created: Date) => {
    const spec = { styles: [...STYLE_IDS], aspects: [...ASPECT_IDS], engine: "studio" as const };
    return (await createJob(db, { user, ...spec, credits: 1, instanceId: SEED_INSTANCE }, created)).job;
  };
  const jobIds: string[] = [];
  for (let i = 0; i < opts.finishedJobs; i++) {
    const created = new Date(now.getTime() - (opts.finishedJobs - i) * 60_000);
    const job = await newJob(created);
    const expiresAt = new Date(now.getTime() + config.OUTPUT_RETENTION_DAYS * 86_400_000);
    await db.transaction(async (tx) => {
      await tx
        .update(jobs)
        .set({ status: "succeeded", stage: "storing", progress: 1, finishedAt: created })
        .where(and(eq(jobs.id, job.id)));
      await tx.insert(outputs).values(
        STYLE_IDS.flatMap((style) =>
          ASPECT_IDS.map((aspect) => {
            const id = randomUUID();
            return {
              id,
              jobId: job.id,
              userId: user.id,
              style,
              aspect,
              width: 1024,
              height: aspect === "1:1" ? 1024 : 1280,
              mimeType: "image/jpeg",
              byteSize: 200_000,
              storageKey: `bench/${id}.jpg`,
              thumbStorageKey: `bench/${id}.thumb.jpg`,
              thumbWidth: 256,
              thumbHeight: aspect === "1:1" ? 256 : 320,
              thumbByteSize: 12_000,
              createdAt: created,
              expiresAt,
            };
          }),
        ),
      );
    });
    jobIds.push(job.id);
  }
  if (!opts.waitingJob) return { ...subject, jobIds };
  const waiting = await newJob(now);
  await recordProgress(db, waiting.id, "rendering", 0.4);
  return { ...subject, jobIds, waitingJobId: waiting.id };
}
