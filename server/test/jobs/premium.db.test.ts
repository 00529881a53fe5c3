// Canva Premium mode (SPEC §8.2): generation needs the `generate_image` billable action in the
// verified token, charges no credit, and records the Canva-Premium-Usage-Id on the job.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody, JobResponse, MeResponse } from "@headshot/shared";
import { creditLedger, jobs, users } from "../../src/db/schema";
import { createHarness, type Harness } from "../support/harness";
import { scriptedEngine } from "../support/engines";
import { consentingUser, fixture, upload } from "./helpers";

let h: Harness;
const photo = fixture("one_face_sample1_crop.jpg");

beforeAll(async () => {
  h = await createHarness(
    { BILLING_MODE: "canva_premium", FREE_CREDITS: "0" },
    { engine: scriptedEngine().engine },
  );
});
afterAll(() => h?.close());

describe("Canva Premium mode", () => {
  it("tells the panel the mode and sells nothing", async () => {
    const user = await h.user();
    const me = MeResponse.parse(await (await h.app.request("/v1/me", { headers: user.headers })).json());
    expect(me.billing).toEqual({ mode: "canva_premium", paymentsEnabled: false, packs: [] });
    expect((await h.app.request("/v1/billing/packs", { headers: user.headers })).status).toBe(404);
  });

  it("refuses generation when the token lacks generate_image, with a clear reason", async () => {
    const user = await consentingUser(h, { billableActions: [] });
    const res = await upload(h, user, photo, {}, { "Canva-Premium-Usage-Id": "usage-1" });
    expect(res.status).toBe(403);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.reason).toBe("PREMIUM_ACTION_REQUIRED");
    expect(body.error.message).toMatch(/premium/i);
  });

  it("refuses a request without the usage id", async () => {
    const user = await consentingUser(h, { billableActions: ["generate_image"] });
    expect((await upload(h, user, photo)).status).toBe(400);
  });

  it("creates the job without a ledger entry and stores the usage id", async () => {
    const user = await consentingUser(h, { billableActions: ["generate_image"] });
    const res = await upload(h, user, photo, {}, { "Canva-Premium-Usage-Id": "usage-42" });
    expect(res.status).toBe(202);
    const job = JobResponse.parse(await res.json()).job;
    const [row] = await h.services.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(row).toMatchObject({ premiumUsageId: "usage-42", charged: false });
    const [owner] = await h.services.db.select().from(users).where(eq(users.canvaUserId, user.userId));
    expect(await h.services.db.select().from(creditLedger).where(eq(creditLedger.userId, owner!.id))).toEqual(
      [],
    );
    expect(owner!.creditBalance).toBe(0);
  });

  it("pays for one generation per Canva usage session: reusing its id is 409", async () => {
    const user = await consentingUser(h, { billableActions: ["generate_image"] });
    const first = await upload(h, user, photo, {}, { "Canva-Premium-Usage-Id": "usage-once" });
    expect(first.status).toBe(202);
    const again = await upload(h, user, photo, {}, { "Canva-Premium-Usage-Id": "usage-once" });
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(await again.json()).error.code).toBe("CONFLICT");
    const [owner] = await h.services.db.select().from(users).where(eq(users.canvaUserId, user.userId));
    expect(await h.services.db.select().from(jobs).where(eq(jobs.userId, owner!.id))).toHaveLength(1);
  });

  it("refunds nothing when a premium job is canceled", async () => {
    const user = await consentingUser(h, { billableActions: ["generate_image"] });
    const job = JobResponse.parse(
      await (await upload(h, user, photo, {}, { "Canva-Premium-Usage-Id": "usage-43" })).json(),
    ).job;
    const res = await h.app.request(`/v1/headshots/${job.id}/cancel`, {
      method: "POST",
      headers: user.headers,
    });
    expect(JobResponse.parse(await res.json()).job.status).toBe("canceled");
    const [owner] = await h.services.db.select().from(users).where(eq(users.canvaUserId, user.userId));
    expect(await h.services.db.select().from(creditLedger).where(eq(creditLedger.userId, owner!.id))).toEqual(
      [],
    );
  });
});
