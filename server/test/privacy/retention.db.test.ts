// Retention (SPEC §9): outputs and their files go at OUTPUT_RETENTION_DAYS and not a day earlier,
// job metadata at JOB_LOG_RETENTION_DAYS, idempotency keys after 24 h, dead console sessions,
// webhook events after 90 days, orphaned files — idempotently, and safely when run concurrently.
import { randomUUID } from "node:crypto";
import { mkdirSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  creditLedger,
  erasedSubjects,
  idempotencyKeys,
  jobs,
  outputs,
  processedWebhookEvents,
  supportLoginFailures,
  supportSessions,
  supportUsers,
} from "../../src/db/schema";
import type { Database } from "../../src/db/client";
import { applyLedgerEntry } from "../../src/domain/credits";
import { runRetention, type RetentionDeps } from "../../src/privacy/retention";
import { startRetentionScheduler } from "../../src/privacy/scheduler";
import { outputKeys } from "../../src/storage/storage";
import { createHarness, type Harness } from "../support/harness";
import { TEST_DRIVER } from "../support/database";
import { apiUser, outputRow, seedJob } from "./seed";

const DAY = 24 * 60 * 60_000;
let h: Harness;
let deps: RetentionDeps;

beforeAll(async () => {
  h = await createHarness();
  deps = h.services;
});
afterAll(async () => {
  await h?.close();
});

const at = (from: Date, days: number, ms = 0) => new Date(from.getTime() + days * DAY + ms);
const fileExists = async (key: string) => (await h.services.storage.get(key)) !== undefined;

describe(`retention on ${TEST_DRIVER}`, () => {
  it("deletes outputs and their files at day 30, not at day 29", async () => {
    const user = await apiUser(h);
    const created = h.clock.now();
    const seeded = await seedJob(h, user.id, { createdAt: created, count: 3 });

    await runRetention(deps, at(created, 29), ["expired-outputs"]);
    expect(await h.services.db.select().from(outputs).where(eq(outputs.jobId, seeded.jobId))).toHaveLength(3);
    for (const key of seeded.keys) expect(await fileExists(key)).toBe(true);

    await runRetention(deps, at(created, 30, -1), ["expired-outputs"]);
    expect(await h.services.db.select().from(outputs).where(eq(outputs.jobId, seeded.jobId))).toHaveLength(3);

    const result = await runRetention(deps, at(created, 30), ["expired-outputs"]);
    expect(result["expired-outputs"]).toBeGreaterThanOrEqual(3);
    expect(await h.services.db.select().from(outputs).where(eq(outputs.jobId, seeded.jobId))).toHaveLength(0);
    for (const key of seeded.keys) expect(await fileExists(key)).toBe(false);
    // The job's metadata outlives its outputs (JOB_LOG_RETENTION_DAYS).
    expect(await h.services.db.select().from(jobs).where(eq(jobs.id, seeded.jobId))).toHaveLength(1);

    expect((await runRetention(deps, at(created, 30), ["expired-outputs"]))["expired-outputs"]).toBe(0);
  });

  it("honours a shortened OUTPUT_RETENTION_DAYS for outputs created under a longer one", async () => {
    const short = await createHarness({ OUTPUT_RETENTION_DAYS: "7" });
    try {
      const user = await apiUser(short);
      const created = short.clock.now();
      const seeded = await seedJob(short, user.id, { createdAt: created, retentionDays: 30 });
      await runRetention(short.services, at(created, 6), ["expired-outputs"]);
      expect(
        await short.services.db.select().from(outputs).where(eq(outputs.jobId, seeded.jobId)),
      ).toHaveLength(2);
      await runRetention(short.services, at(created, 7), ["expired-outputs"]);
      expect(
        await short.services.db.select().from(outputs).where(eq(outputs.jobId, seeded.jobId)),
      ).toHaveLength(0);
    } finally {
      await short.close();
    }
  });

  it("deletes finished job metadata at JOB_LOG_RETENTION_DAYS, keeps running jobs and the ledger", async () => {
    const user = await apiUser(h);
    const created = h.clock.now();
    const finished = await seedJob(h, user.id, { createdAt: created, count: 1, retentionDays: 365 });
    const running = await seedJob(h, user.id, { createdAt: created, count: 1, status: "processing" });
    await h.services.db.transaction((tx) =>
      applyLedgerEntry(tx, { userId: user.id, kind: "generation", delta: -1, jobId: finished.jobId }),
    );
    await h.services.db
      .insert(idempotencyKeys)
      .values({ userId: user.id, key: "k-job", jobId: finished.jobId });

    await runRetention(deps, at(created, 89), ["job-metadata"]);
    expect(await h.services.db.select().from(jobs).where(eq(jobs.id, finished.jobId))).toHaveLength(1);

    await runRetention(deps, at(created, 90), ["job-metadata"]);
    expect(await h.services.db.select().from(jobs).where(eq(jobs.id, finished.jobId))).toHaveLength(0);
    // An output still there (a long retention) goes with its job, files included.
    for (const key of finished.keys) expect(await fileExists(key)).toBe(false);
    expect(await h.services.db.select().from(jobs).where(eq(jobs.id, running.jobId))).toHaveLength(1);
    const ledger = await h.services.db.select().from(creditLedger).where(eq(creditLedger.userId, user.id));
    expect(ledger.find((l) => l.kind === "generation")).toMatchObject({ delta: -1, jobId: null });
  });

  it("deletes idempotency keys after 24 hours", async () => {
    const user = await apiUser(h);
    const created = h.clock.now();
    const { jobId } = await seedJob(h, user.id, { createdAt: created, count: 0 });
    await h.services.db
      .insert(idempotencyKeys)
      .values({ userId: user.id, key: "k-24h", jobId, createdAt: created });
    const stillThere = async () =>
      (
        await h.services.db
          .select()
          .from(idempotencyKeys)
          .where(inArray(idempotencyKeys.key, ["k-24h"]))
      ).length;
    await runRetention(deps, at(created, 1, -1000), ["idempotency-keys"]);
    expect(await stillThere()).toBe(1);
    await runRetention(deps, at(created, 1), ["idempotency-keys"]);
    expect(await stillThere()).toBe(0);
  });

  it("deletes console sessions past their absolute or idle expiry", async () => {
    const now = h.clock.now();
    const [staff] = await h.services.db
      .insert(supportUsers)
      .values({ email: `ret-${Date.now()}@example.com`, passwordHash: "x" })
      .returning();
    await h.services.db.insert(supportSessions).values([
      {
        idHash: "live",
        supportUserId: staff!.id,
        csrfTokenHash: "c",
        lastSeenAt: now,
        expiresAt: at(now, 1),
      },
      { idHash: "expired", supportUserId: staff!.id, csrfTokenHash: "c", lastSeenAt: now, expiresAt: now },
      {
        idHash: "idle",
        supportUserId: staff!.id,
        csrfTokenHash: "c",
        lastSeenAt: at(now, -1),
        expiresAt: at(now, 1),
      },
    ]);
    await runRetention(deps, now, ["support-sessions"]);
    const left = await h.services.db.select({ id: supportSessions.idHash }).from(supportSessions);
    expect(left.map((s) => s.id)).toEqual(["live"]);
  });

  it("deletes processed webhook events after 90 days", async () => {
    const now = h.clock.now();
    await h.services.db.insert(processedWebhookEvents).values([
      { id: "evt_old", source: "stripe", type: "x", processedAt: at(now, -90) },
      { id: "evt_recent", source: "stripe", type: "x", processedAt: at(now, -89) },
    ]);
    await runRetention(deps, now, ["webhook-events"]);
    const left = await h.services.db.select({ id: processedWebhookEvents.id }).from(processedWebhookEvents);
    expect(left.map((e) => e.id)).toEqual(["evt_recent"]);
  });

  it("forgets an erased identity after 30 days", async () => {
    const now = h.clock.now();
    await h.services.db.insert(erasedSubjects).values([
      { subjectHash: "erased-long-ago", erasedAt: at(now, -30) },
      { subjectHash: "erased-lately", erasedAt: at(now, -29) },
    ]);
    await runRetention(deps, now, ["erased-subjects"]);
    const left = await h.services.db.select({ hash: erasedSubjects.subjectHash }).from(erasedSubjects);
    expect(left.map((r) => r.hash)).toEqual(["erased-lately"]);
  });

  it("forgets a sign-in pair's failures after a quiet day", async () => {
    const now = h.clock.now();
    await h.services.db.insert(supportLoginFailures).values([
      { key: "quiet", failures: 9, lastFailureAt: at(now, -1) },
      { key: "recent", failures: 9, lastFailureAt: new Date(now.getTime() - 60_000) },
    ]);
    await runRetention(deps, now, ["support-login-failures"]);
    const left = await h.services.db.select({ key: supportLoginFailures.key }).from(supportLoginFailures);
    expect(left.map((r) => r.key)).toEqual(["recent"]);
  });

  it("deletes files no row claims, but not those of outputs or of a running job", async () => {
    const user = await apiUser(h);
    const kept = await seedJob(h, user.id, { count: 1 });
    const running = await seedJob(h, user.id, { count: 0, status: "processing" });
    const inFlight = outputKeys(user.id, running.jobId, crypto.randomUUID());
    await h.services.storage.put(inFlight.image, Buffer.from("being written"), "image/jpeg");
    const orphan = outputKeys(crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID());
    await h.services.storage.put(orphan.image, Buffer.from("left behind"), "image/jpeg");
    await h.services.storage.put(orphan.thumbnail, Buffer.from("left behind"), "image/jpeg");

    const result = await runRetention(deps, h.clock.now(), ["orphan-files"]);
    expect(result["orphan-files"]).toBe(2);
    expect(await fileExists(orphan.image)).toBe(false);
    expect(await fileExists(inFlight.image)).toBe(true);
    for (const key of kept.keys) expect(await fileExists(key)).toBe(true);
  });

  it("deletes temp files of writes abandoned over an hour ago, not those of writes in progress", async () => {
    const user = await apiUser(h);
    const { jobId } = await seedJob(h, user.id, { count: 0, status: "processing" });
    const dir = path.join(h.filesDir, "outputs", user.id, jobId);
    mkdirSync(dir, { recursive: true });
    const temp = (name: string, ageMs: number) => {
      const file = path.join(dir, `${randomUUID()}.jpg.${name}.tmp`);
      writeFileSync(file, "half an image");
      const mtime = new Date(h.clock.now().getTime() - ageMs);
      utimesSync(file, mtime, mtime);
      return file;
    };
    const abandoned = temp("crashed", 61 * 60_000);
    const writing = temp("writing", 59 * 60_000);

    const result = await runRetention(deps, h.clock.now(), ["orphan-files"]);
    expect(result["orphan-files"]).toBeGreaterThanOrEqual(1);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(writing)).toBe(true);
  });

  it("keeps the files of a job whose outputs commit while the sweep is asking about them", async () => {
    // Its own storage, so the job's files are in the sweep's first (and only) batch.
    const own = await createHarness();
    try {
      const user = await apiUser(own);
      const { jobId } = await seedJob(own, user.id, { count: 0, status: "processing" });
      const outputId = randomUUID();
      const keys = outputKeys(user.id, jobId, outputId);
      await own.services.storage.put(keys.image, Buffer.from("stored"), "image/jpeg");
      const now = own.clock.now();
      // What storing outputs does in one commit: the rows appear and the job stops running.
      const storeOutputs = () =>
        own.services.db.transaction(async (tx) => {
          await tx
            .insert(outputs)
            .values(outputRow({ userId: user.id, jobId, outputId, createdAt: now, expiresAt: at(now, 30) }));
          await tx.update(jobs).set({ status: "succeeded", finishedAt: now }).where(eq(jobs.id, jobId));
        });
      const db = commitBeforeRunningJobsQuery(own.services.db, storeOutputs);

      await runRetention({ ...own.services, db }, now, ["orphan-files"]);
      expect(await own.services.storage.get(keys.image)).toBeDefined();
    } finally {
      await own.close();
    }
  });

  it("splits the work when several instances run at once, deleting each row once", async () => {
    const user = await apiUser(h);
    const created = h.clock.now();
    const seeded = await Promise.all(
      Array.from({ length: 6 }, () => seedJob(h, user.id, { createdAt: created, count: 5 })),
    );
    const later = at(created, 31);
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => runRetention(deps, later, ["expired-outputs"])),
    );
    const ids = seeded.flatMap((s) => s.outputIds);
    expect(await h.services.db.select().from(outputs).where(inArray(outputs.id, ids))).toHaveLength(0);
    expect(runs.reduce((sum, r) => sum + r["expired-outputs"]!, 0)).toBeGreaterThanOrEqual(ids.length);
    for (const key of seeded.flatMap((s) => s.keys)) expect(await fileExists(key)).toBe(false);
  });

  it("refuses to run a job it doesn't know", async () => {
    await expect(runRetention(deps, h.clock.now(), ["nope"])).rejects.toThrow(/unknown retention job: nope/);
  });

  it("the scheduler runs each job with the injected clock and waits for a run in progress on stop", async () => {
    const seen: Date[] = [];
    let release!: () => void;
    const scheduler = startRetentionScheduler(deps, {
      clock: h.clock,
      initialDelayMaxMs: 1,
      jobs: [
        {
          name: "probe",
          everyMs: 60_000,
          run: async (_deps, now) => {
            seen.push(now);
            await new Promise<void>((resolve) => (release = resolve));
            return 0;
          },
        },
      ],
    });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]!.getTime()).toBe(h.clock.now().getTime());
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });
});

/**
 * The database, except that `commit` runs once just before the sweep's "which jobs are running"
 * query — after any output-rows query already sent has answered: the worst moment for a job to
 * finish storing its outputs.
 */
function commitBeforeRunningJobsQuery(db: Database, commit: () => Promise<void>): Database {
  type Query = { execute: (...args: unknown[]) => Promise<unknown> };
  let outputsAnswered: Promise<unknown> = Promise.resolve();
  let committed = false;
  const spied = Object.create(db) as Database;
  spied.select = ((...fields: Parameters<Database["select"]>) => {
    const builder = db.select(...fields);
    const from = builder.from.bind(builder);
    builder.from = ((table: Parameters<typeof from>[0]) => {
      const query = from(table) as unknown as Query;
      const execute = query.execute.bind(query);
      if (table === outputs) {
        query.execute = (...args) => (outputsAnswered = execute(...args));
      } else if (table === jobs) {
        query.execute = async (...args) => {
          await outputsAnswered;
          if (!committed) {
            committed = true;
            await commit();
          }
          return execute(...args);
        };
      }
      return query;
    }) as unknown as typeof builder.from;
    return builder;
  }) as Database["select"];
  return spied;
}
