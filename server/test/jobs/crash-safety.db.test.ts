// Crash safety (SPEC §6.2): jobs of an instance that went silent are failed and refunded exactly
// once, even with sweeps racing; shutdown drains; the generation limit answers 429.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody, JobResponse } from "@headshot/shared";
import { creditLedger, instances, jobs, users } from "../../src/db/schema";
import { applyLedgerEntry } from "../../src/domain/credits";
import { databaseNow, heartbeat, startInstanceKeeper, sweepDeadInstances } from "../../src/jobs/instances";
import { createHarness, type Harness } from "../support/harness";
import { scriptedEngine } from "../support/engines";
import { balance, consentingUser, fixture, getJob, upload } from "./helpers";

let h: Harness;
let engine: ReturnType<typeof scriptedEngine>;
const photo = fixture("one_face_sample1_crop.jpg");

beforeAll(async () => {
  engine = scriptedEngine();
  h = await createHarness({ RATE_LIMITS: "generation=1000/min" }, { engine: engine.engine });
});
afterAll(() => h?.close());

/** Jobs charged the way the route charges them, on an instance of our choosing. */
async function chargedJobs(instanceId: string, n: number, status: "queued" | "processing") {
  const user = await consentingUser(h);
  const [row] = await h.services.db.select().from(users).where(eq(users.canvaUserId, user.userId));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    await h.services.db.transaction(async (tx) => {
      const [job] = await tx
        .insert(jobs)
        .values({
          userId: row!.id,
          styles: ["studio-grey"],
          aspects: ["1:1"],
          engine: "studio",
          instanceId,
          charged: true,
          status,
        })
        .returning();
      await applyLedgerEntry(tx, { userId: row!.id, kind: "generation", delta: -1, jobId: job!.id });
      ids.push(job!.id);
    });
  }
  return { user, userRowId: row!.id, ids };
}

describe("sweep of dead instances", () => {
  it("fails and refunds the queued and processing jobs of a silent instance, once, with sweeps racing", async () => {
    const now = h.clock.now();
    await heartbeat(h.services.db, "dead-instance", new Date(now.getTime() - 31_000));
    await heartbeat(h.services.db, "live-instance", now);
    const dead = await chargedJobs("dead-instance", 2, "processing");
    const queued = await chargedJobs("dead-instance", 1, "queued");
    const live = await chargedJobs("live-instance", 1, "processing");
    expect(await balance(h, dead.user)).toBe(1);

    const swept = await Promise.all(Array.from({ length: 4 }, () => sweepDeadInstances(h.services.db, now)));
    expect(swept.reduce((a, b) => a + b, 0)).toBe(3);

    expect(await balance(h, dead.user)).toBe(3);
    expect(await balance(h, queued.user)).toBe(3);
    expect(await balance(h, live.user)).toBe(2);
    const refunds = await h.services.db
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.userId, dead.userRowId));
    expect(refunds.filter((r) => r.kind === "refund_generation")).toHaveLength(2);
    const job = await getJob(h, dead.user, dead.ids[0]!);
    expect(job).toMatchObject({ status: "failed", error: { code: "UNAVAILABLE", reason: "INSTANCE_LOST" } });

    expect(await sweepDeadInstances(h.services.db, now)).toBe(0);
  });

  it("leaves a live instance's jobs alone until it has been silent for 30 s", async () => {
    const now = h.clock.now();
    await heartbeat(h.services.db, "quiet-instance", new Date(now.getTime() - 29_000));
    const quiet = await chargedJobs("quiet-instance", 1, "processing");
    expect(await sweepDeadInstances(h.services.db, now)).toBe(0);
    expect(await balance(h, quiet.user)).toBe(2);
    expect(await sweepDeadInstances(h.services.db, new Date(now.getTime() + 2_000))).toBe(1);
    expect(await balance(h, quiet.user)).toBe(3);
  });

  it("treats a job whose instance never beat, or stopped, as dead", async () => {
    const now = h.clock.now();
    const ghost = await chargedJobs("never-seen", 1, "queued");
    await heartbeat(h.services.db, "stopped", now);
    await h.services.db.update(instances).set({ stoppedAt: now }).where(eq(instances.id, "stopped"));
    const stopped = await chargedJobs("stopped", 1, "processing");
    expect(await sweepDeadInstances(h.services.db, now)).toBe(2);
    expect(await balance(h, ghost.user)).toBe(3);
    expect(await balance(h, stopped.user)).toBe(3);
  });
});

describe("the running keeper", () => {
  it("beats and sweeps by the database's clock: a server whose clock runs an hour ahead kills nothing alive", async () => {
    const db = h.services.db;
    await heartbeat(db, "live-elsewhere", await databaseNow(db));
    const alive = await chargedJobs("live-elsewhere", 1, "processing");
    h.clock.advance(3_600_000); // this server's clock: an hour ahead of everyone else's
    const keeper = await startInstanceKeeper({
      ...h.services,
      instanceId: "skewed-server",
      exclusive: false,
    });
    await keeper.stop();
    const [job] = await db.select().from(jobs).where(eq(jobs.id, alive.ids[0]!));
    expect(job?.status).toBe("processing");
    const [own] = await db.select().from(instances).where(eq(instances.id, "skewed-server"));
    expect(Math.abs(own!.heartbeatAt.getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe("shutdown", () => {
  it("fails what is still running after the drain timeout as a server restart, refunded", async () => {
    const user = await consentingUser(h);
    const res = await upload(h, user, photo, { styles: "studio-grey", aspects: "1:1" });
    const job = JobResponse.parse(await res.json()).job;
    await engine.waitForJobs(1);
    expect(await balance(h, user)).toBe(2);
    await h.services.runner.drain(50);
    const ended = await getJob(h, user, job.id);
    expect(ended).toMatchObject({
      status: "failed",
      error: { code: "UNAVAILABLE", reason: "INSTANCE_LOST" },
    });
    expect(await balance(h, user)).toBe(3);
  });
});

describe("generation rate limit", () => {
  it("answers the 11th generation within a minute with 429 and Retry-After", async () => {
    const limited = await createHarness({ FREE_CREDITS: "20" }, { engine: scriptedEngine().engine });
    try {
      const user = await consentingUser(limited);
      for (let i = 0; i < 10; i++) {
        const ok = await upload(limited, user, photo, { styles: "studio-grey", aspects: "1:1" });
        expect(ok.status).toBe(202);
      }
      const res = await upload(limited, user, photo);
      expect(res.status).toBe(429);
      expect(ErrorBody.parse(await res.json()).error.code).toBe("RATE_LIMITED");
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(await balance(limited, user)).toBe(10);
      // Reads are never limited.
      for (let i = 0; i < 15; i++)
        expect((await limited.app.request("/v1/me", { headers: user.headers })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
