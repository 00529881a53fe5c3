// Polls and user reads that arrive together are read in one query (src/db/batched-read.ts). Each
// answer is still the caller's own: a job id is found only with the user it belongs to, even when
// its owner's poll is in the same batch.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASPECT_IDS, JobResponse, MeResponse, STYLE_IDS } from "@headshot/shared";
import { createJob } from "../../src/jobs/jobs";
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
});
