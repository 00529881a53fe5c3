// GET /metrics (SPEC §4, §11): Prometheus text behind METRICS_TOKEN, absent without it; request
// latency by route pattern, the engine's queue, and a real generation's time per stage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse } from "@headshot/shared";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { consentingUser, fixture, upload, waitForEnd } from "../jobs/helpers";

const TOKEN = "metrics-scrape-token-0123456789abcdef";
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ METRICS_TOKEN: TOKEN });
});
afterAll(() => h?.close());

async function scrape(): Promise<string> {
  const res = await h.app.request("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return res.text();
}

/** The value of one sample line, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe(`GET /metrics on ${TEST_DRIVER}`, () => {
  it("refuses a missing or wrong bearer token, the way every error answers", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: "Bearer wrong" },
      { Authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await h.app.request("/metrics", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
  });

  it("does not exist on a server without METRICS_TOKEN", async () => {
    const bare = await createHarness();
    try {
      const res = await bare.app.request("/metrics", { headers: { Authorization: "Bearer " } });
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it("counts requests by route pattern, never by raw path", async () => {
    const user = await h.user();
    await h.app.request("/v1/me", { headers: user.headers });
    await h.app.request("/v1/headshots/00000000-0000-4000-8000-000000000000", { headers: user.headers });
    const text = await scrape();
    const me = 'headshot_http_request_duration_seconds_count{method="GET",route="/v1/me",status="200"}';
    expect(sample(text, me)).toBeGreaterThanOrEqual(1);
    expect(text).toContain('route="/v1/headshots/:id",status="404"');
    expect(text).not.toContain("00000000-0000-4000-8000-000000000000");
    expect(sample(text, 'headshot_generation_jobs{state="capacity"}')).toBeGreaterThan(0);
  });

  it("times a real generation by stage, and shows it in the queue while it runs", async () => {
    const user = await consentingUser(h);
    const res = await upload(h, user, fixture("one_face_sample1_crop.jpg"));
    expect(res.status).toBe(202);
    const id = JobResponse.parse(await res.json()).job.id;
    expect(sample(await scrape(), 'headshot_generation_jobs{state="in_flight"}')).toBe(1);

    expect((await waitForEnd(h, user, id)).status).toBe("succeeded");
    // The job reads as succeeded once its row says so; the runner counts it a moment later.
    await h.services.runner.drain(60_000);
    const after = await scrape();
    for (const stage of ["detecting", "framing", "segmenting", "rendering", "total"]) {
      expect(sample(after, `headshot_generation_stage_duration_seconds_count{stage="${stage}"}`)).toBe(1);
    }
    expect(sample(after, 'headshot_generation_jobs{state="in_flight"}')).toBe(0);
  });
});
