// `Cache-Control: no-store` on every private answer: the answers the issue found without it
// (GET /v1/me, packs, consent, checkout, the 202 of POST /v1/headshots, cancel), then a walk of
// every route the app registers under a private prefix, successes and errors alike.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse } from "@headshot/shared";
import { PRIVATE_PATHS } from "../../src/http/middleware/no-store";
import { createBillingHarness, type BillingHarness } from "../billing/stripe-events";
import { consentingUser, fixture, upload } from "../jobs/helpers";
import { scriptedEngine } from "../support/engines";
import type { TestUser } from "../support/harness";
import { signIn, staffAccount } from "../support-console/console-client";

let h: BillingHarness;
let user: TestUser;
let engine: ReturnType<typeof scriptedEngine>;

beforeAll(async () => {
  engine = scriptedEngine();
  h = await createBillingHarness(
    { FREE_CREDITS: "3", METRICS_TOKEN: "m".repeat(32) },
    { engine: engine.engine },
  );
  user = await consentingUser(h);
});
afterAll(() => h?.close());

const noStore = (res: Response) => expect(res.headers.get("Cache-Control")).toBe("no-store");

describe("the private answers that were cacheable", () => {
  it("GET /v1/me, GET /v1/billing/packs, POST /v1/consent, POST /v1/billing/checkout", async () => {
    const answers = [
      await h.app.request("/v1/me", { headers: user.headers }),
      await h.app.request("/v1/billing/packs", { headers: user.headers }),
      await h.json(
        "POST",
        "/v1/consent",
        { photoProcessing: true, ageConfirmed18: true, policyVersion: "1" },
        user.headers,
      ),
      await h.json("POST", "/v1/billing/checkout", { packId: "starter" }, user.headers),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200]);
    answers.forEach(noStore);
  });

  it("the 202 of POST /v1/headshots and the 200 of its cancel", async () => {
    const accepted = await upload(h, user, fixture("one_face_sample1_crop.jpg"));
    expect(accepted.status).toBe(202);
    noStore(accepted);
    const { job } = JobResponse.parse(await accepted.json());
    await engine.waitForJobs(1);
    const canceled = await h.app.request(`/v1/headshots/${job.id}/cancel`, {
      method: "POST",
      headers: user.headers,
    });
    expect(canceled.status).toBe(200);
    noStore(canceled);
  });
});

describe("every route under a private prefix", () => {
  const isPrivate = (path: string) =>
    PRIVATE_PATHS.some((p) => (p.endsWith("/*") ? path.startsWith(p.slice(0, -1)) : path === p));

  it("answers no-store whatever its status, signed in or not", async () => {
    const staff = await signIn(h, await staffAccount(h));
    const routes = h.app.routes.filter((r) => r.method !== "ALL" && isPrivate(r.path));
    const walked = new Set<string>();
    for (const { method, path } of routes) {
      const url = path.replace(/:[a-z]+/gi, "0f8fad5b-d9cb-469f-a165-70867728950e");
      const headers = { ...user.headers, Cookie: staff.cookie, "Content-Type": "application/json" };
      const body = method === "GET" || method === "HEAD" ? undefined : "{}";
      for (const init of [
        { method, headers, body },
        { method, body },
      ]) {
        const res = await h.app.request(url, init);
        expect(res.headers.get("Cache-Control"), `${method} ${path} → ${res.status}`).toBe("no-store");
      }
      walked.add(`${method} ${path}`);
    }
    // The walk reaches the API, the console, exports, development auth and metrics.
    for (const route of [
      "GET /v1/me",
      "POST /v1/headshots/:id/cancel",
      "GET /support/users",
      "GET /exports/:token",
      "POST /dev/token",
      "GET /metrics",
    ]) {
      expect(walked).toContain(route);
    }
  });
});
