// Polls and user reads that arrive together are read in one query (src/db/batched-read.ts). Each
// answer is still the caller's own: a job id is found only with the user it belongs to, even when
// its owner's poll is in the same batch.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASPECT_IDS, JobResponse, MeResponse, STYLE_IDS } from "@headshot/shared";
import { eq, sql } from "drizzle-orm";
import { users } from "../../src/db/schema";
import { findUserWithConsent } from "../../src/domain/users";
import { createJob, pollOwnJob } from "../../src/jobs/jobs";
import { createHarness, type Harness, type TestUser } from "../support/harness";
import { consentingUser } from "./helpers";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

async function userWithJob(): Promise<{ user: TestUser; userId: string; jobId: string }> {
  const user = await consentingUser(h);
  const me = MeResponse.parse(await (await h.app.request("/v1/me", { headers: user.headers })).json());
  const [row] = await h.services.db.query.users.findMany({ where: (u, { eq }) => eq(u.id, me.user.id) });
  const { job } = await createJob(
    h.services.db,
    {
      user: row!,
      styles: [...STYLE_IDS],
      aspects: [...ASPECT_IDS],
      engine: "studio",
      credits: 1,
      instanceId: h.services.instanceId,
    },
    h.clock.now(),
  );
  return { user, userId: me.user.id, jobId: job.id };
}

describe("polls read together", () => {
  it("answer each caller with their own job and balance, and another user's job id with 404", async () => {
    const callers = await Promise.all(Array.from({ length: 6 }, userWithJob));
    const [first, second] = callers;

    const poll = (user: TestUser, jobId: string) =>
      h.app.request(`/v1/headshots/${jobId}`, { headers: user.headers });
    const [own, me, someoneElses, unknown] = await Promise.all([
      Promise.all(callers.map((c) => poll(c.user, c.jobId))),
      Promise.all(callers.map((c) => h.app.request("/v1/me", { headers: c.user.headers }))),
      poll(first!.user, second!.jobId),
      poll(first!.user, randomUUID()),
    ]);

    for (const [i, res] of own.entries()) {
      expect(res.status).toBe(200);
      expect(JobResponse.parse(await res.json()).job).toMatchObject({
        id: callers[i]!.jobId,
        status: "queued",
      });
    }
    for (const [i, res] of me.entries()) {
      expect(MeResponse.parse(await res.json())).toMatchObject({
        user: { id: callers[i]!.userId },
        credits: { balance: 2 },
      });
    }
    expect(someoneElses.status).toBe(404);
    expect(unknown.status).toBe(404);
  });

  it("make the account of a caller seen for the first time, as every /v1 route does, and answer 404", async () => {
    for (const id of [randomUUID(), "not-a-job-id"]) {
      const user = await h.user();
      const res = await h.app.request(`/v1/headshots/${id}`, { headers: user.headers });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
      const [made] = await h.services.db.query.users.findMany({
        where: (u, { and, eq }) => and(eq(u.brandId, user.brandId), eq(u.canvaUserId, user.userId)),
      });
      expect(made?.creditBalance).toBe(h.services.config.FREE_CREDITS);
    }
  });

  it("answer one caller's polls of two jobs in one batch, their own and someone else's", async () => {
    const [mine, theirs] = await Promise.all([userWithJob(), userWithJob()]);
    const poll = (jobId: string) => h.app.request(`/v1/headshots/${jobId}`, { headers: mine!.user.headers });
    const [own, other] = await Promise.all([poll(mine!.jobId), poll(theirs!.jobId)]);
    expect(own.status).toBe(200);
    expect(JobResponse.parse(await own.json()).job.id).toBe(mine!.jobId);
    expect(other.status).toBe(404);
  });

  it("find a job by its id in capitals too (a uuid's case does not matter)", async () => {
    const { user, jobId } = await userWithJob();
    const res = await h.app.request(`/v1/headshots/${jobId.toUpperCase()}`, { headers: user.headers });
    expect(res.status).toBe(200);
    expect(JobResponse.parse(await res.json()).job.id).toBe(jobId);
  });

  it("read the caller's row as it is stored, every column in its place, in a user read and a poll", async () => {
    const { user, userId, jobId } = await userWithJob();
    // Every column set and different from every other, the restriction to the microsecond.
    await h.services.db
      .update(users)
      .set({
        creditBalance: 17,
        contactEmail: "row-check@example.com",
        restrictedAt: new Date(h.clock.now().getTime() - 5_000),
        restrictionReason: "objection to processing",
      })
      .where(eq(users.id, userId));
    await h.services.db.execute(
      sql`update users set restricted_at = restricted_at + interval '321 microseconds' where id = ${userId}`,
    );
    const [stored] = await h.services.db.select().from(users).where(eq(users.id, userId));
    const subject = { brandId: user.brandId, userId: user.userId };

    expect((await findUserWithConsent(h.services.db, subject))?.user).toEqual(stored);
    const poll = await pollOwnJob(h.services.db, subject, jobId, h.services.config, h.clock.now());
    expect(poll?.user).toEqual(stored);
    expect(poll?.job?.id).toBe(jobId);
  });
});
