// A job's outputs as the API gives them (SPEC §4 Job) are their rows: the poll and the history read
// each output as a JSON array of its columns (jobs.ts `liveOutputsJson`), and every field must land
// in its own place — widths not swapped with thumbnail widths, the expiry to the millisecond.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { JobListResponse, JobResponse, type Output } from "@headshot/shared";
import { outputs } from "../../src/db/schema";
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
});
