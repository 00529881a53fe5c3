// A job as the API gives it (SPEC §4 Job) is its row and its outputs' rows: the poll and the history
// read the job and its outputs as one JSON array of their columns (jobs.ts `jobViewJson`), and every
// field must land in its own place — an error's reason not swapped with its message, widths not with
// thumbnail widths, times to the millisecond.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { JobListResponse, JobResponse, type Output } from "@headshot/shared";
import { jobs, outputs } from "../../src/db/schema";
import { createHarness, type Harness } from "../support/harness";
import { apiUser, outputRow, seedJob } from "../privacy/seed";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const DAY = 24 * 60 * 60_000;

describe("a job's outputs in the API", () => {
  it("carry each output's own columns, in creation order, through the poll and the history", async () => {
    const user = await apiUser(h);
    const { jobId } = await seedJob(h, user.id, { count: 0 });
    const createdAt = h.clock.now();
    // Every column different from every other, so a field read from another's place shows.
    const rows = [
      {
        style: "studio-grey",
        aspect: "1:1",
        width: 1001,
        height: 1002,
        mimeType: "image/jpeg",
        thumbWidth: 201,
        thumbHeight: 202,
      },
      {
        style: "warm-beige",
        aspect: "4:5",
        width: 1101,
        height: 1377,
        mimeType: "image/png",
        thumbWidth: 301,
        thumbHeight: 377,
      },
      {
        style: "classic-bw",
        aspect: "4:5",
        width: 1201,
        height: 1501,
        mimeType: "image/webp",
        thumbWidth: 401,
        thumbHeight: 501,
      },
    ].map((o, i) => ({
      ...outputRow({
        userId: user.id,
        jobId,
        outputId: randomUUID(),
        createdAt: new Date(createdAt.getTime() + i),
        expiresAt: new Date(createdAt.getTime() + 30 * DAY - i * 60_000),
      }),
      ...o,
    }));
    // Inserted newest first: the API lists them oldest first.
    for (const row of [...rows].reverse()) await h.services.db.insert(outputs).values(row);
    // PostgreSQL keeps microseconds: the API gives the millisecond they fall in.
    await h.services.db.execute(
      sql`update outputs set expires_at = expires_at + interval '987 microseconds' where job_id = ${jobId}`,
    );

    const expected = rows.map((r) => ({
      id: r.id,
      style: r.style,
      aspect: r.aspect,
      width: r.width,
      height: r.height,
      mimeType: r.mimeType,
      thumbnailWidth: r.thumbWidth,
      thumbnailHeight: r.thumbHeight,
      expiresAt: r.expiresAt.toISOString(),
    }));
    const fields = ({ url, thumbnailUrl, ...rest }: Output) => {
      expect(url).toMatch(/\/files\//);
      expect(thumbnailUrl).toMatch(/\/files\//);
      expect(thumbnailUrl).not.toBe(url);
      return rest;
    };

    const poll = await h.app.request(`/v1/headshots/${jobId}`, { headers: user.headers });
    expect(poll.status).toBe(200);
    expect(JobResponse.parse(await poll.json()).job.outputs.map(fields)).toEqual(expected);

    const history = await h.app.request("/v1/headshots", { headers: user.headers });
    expect(history.status).toBe(200);
    const [listed] = JobListResponse.parse(await history.json()).jobs;
    expect(listed?.id).toBe(jobId);
    expect(listed!.outputs.map(fields)).toEqual(expected);
  });

  it("carry each of the job's own columns through the poll and the history", async () => {
    const user = await apiUser(h);
    const createdAt = new Date(h.clock.now().getTime() - 60_000);
    const finishedAt = new Date(createdAt.getTime() + 42_123);
    const columns: typeof jobs.$inferInsert = {
      userId: user.id,
      engine: "generative",
      attire: "smart_casual",
      stage: "rendering",
      progress: 0.25,
      styles: ["warm-beige", "studio-grey"],
      aspects: ["4:5", "1:1"],
      instanceId: "seed",
      createdAt,
      finishedAt,
    };
    const [failed] = await h.services.db
      .insert(jobs)
      .values({
        ...columns,
        status: "failed",
        errorCode: "ENGINE_FAILED",
        errorReason: "NO_FACE",
        errorMessage: "We could not find a face.",
      })
      .returning({ id: jobs.id });
    const { jobId: succeeded } = await seedJob(h, user.id, { count: 1 });
    await h.services.db
      .update(jobs)
      .set(columns)
      .where(sql`${jobs.id} = ${succeeded}`);
    // PostgreSQL keeps microseconds: the API gives the millisecond they fall in.
    await h.services.db.execute(
      sql`update jobs set created_at = created_at + interval '654 microseconds' where user_id = ${user.id}`,
    );

    const same = {
      engine: "generative",
      attire: "smart_casual",
      stage: "rendering",
      styles: ["warm-beige", "studio-grey"],
      aspects: ["4:5", "1:1"],
      createdAt: createdAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      missing: [],
    };
    const poll = await h.app.request(`/v1/headshots/${failed!.id}`, { headers: user.headers });
    expect(poll.status).toBe(200);
    expect(JobResponse.parse(await poll.json()).job).toEqual({
      ...same,
      id: failed!.id,
      status: "failed",
      progress: 0.25,
      error: { code: "ENGINE_FAILED", reason: "NO_FACE", message: "We could not find a face." },
      outputs: [],
    });

    const history = await h.app.request("/v1/headshots", { headers: user.headers });
    expect(history.status).toBe(200);
    const [listed] = JobListResponse.parse(await history.json()).jobs;
    expect({ ...listed, outputs: listed?.outputs.length }).toEqual({
      ...same,
      id: succeeded,
      status: "succeeded",
      progress: 1,
      error: null,
      outputs: 1,
    });
  });
});
