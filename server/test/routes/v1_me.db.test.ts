// GET /v1/me and POST /v1/consent: first sight creates the user with free credits once, consent
// needs both flags, and users (brand + user) never see each other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURRENT_POLICY_VERSION, ErrorBody, MeResponse } from "@headshot/shared";
import { createHarness, type Harness } from "../support/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

const CONSENT = { photoProcessing: true, ageConfirmed18: true, policyVersion: CURRENT_POLICY_VERSION };

async function me(headers: Record<string, string>) {
  const res = await h.app.request("/v1/me", { headers });
  expect(res.status).toBe(200);
  return MeResponse.parse(await res.json());
}

describe("GET /v1/me", () => {
  it("creates the user on first sight with the free credits, once", async () => {
    const u = await h.user();
    const first = await me(u.headers);
    expect(first.credits.balance).toBe(3);
    expect(first.billing.mode).toBe("credits");
    expect(first.consent).toMatchObject({ given: false, trainingConsent: false });
    const second = await me(u.headers);
    expect(second.user.id).toBe(first.user.id);
    expect(second.credits.balance).toBe(3);
  });

  it("creates one user when the first requests arrive together", async () => {
    const u = await h.user();
    const all = await Promise.all(Array.from({ length: 6 }, () => me(u.headers)));
    expect(new Set(all.map((m) => m.user.id)).size).toBe(1);
    expect((await me(u.headers)).credits.balance).toBe(3);
  });

  it("treats the same user id in another brand as another user", async () => {
    const a = await h.user({ userId: "shared-user", brandId: "brand-a" });
    const b = await h.user({ userId: "shared-user", brandId: "brand-b" });
    expect((await me(a.headers)).user.id).not.toBe((await me(b.headers)).user.id);
  });

  it("honours FREE_CREDITS", async () => {
    const stingy = await createHarness({ FREE_CREDITS: "0" });
    try {
      const u = await stingy.user();
      const res = await stingy.app.request("/v1/me", { headers: u.headers });
      expect(MeResponse.parse(await res.json()).credits.balance).toBe(0);
    } finally {
      await stingy.close();
    }
  });

  it("requires a token", async () => {
    const res = await h.app.request("/v1/me");
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.reason).toBe("TOKEN_MISSING");
  });

  it("rejects a token for another app", async () => {
    const res = await h.app.request("/v1/me", {
      headers: {
        Authorization:
          "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.eyJhdWQiOiJvdGhlciIsInVzZXJJZCI6InUiLCJicmFuZElkIjoiYiJ9.c2ln",
      },
    });
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.reason).toBe("TOKEN_INVALID");
  });
});

describe("POST /v1/consent", () => {
  it("records consent and age confirmation for the current policy version", async () => {
    const u = await h.user();
    const res = await h.json("POST", "/v1/consent", CONSENT, u.headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ given: true, policyVersion: "1", ageConfirmed18: true });
    expect((await me(u.headers)).consent.given).toBe(true);
  });

  it.each([
    ["photo processing refused", { ...CONSENT, photoProcessing: false }],
    ["age not confirmed", { ...CONSENT, ageConfirmed18: false }],
    ["flags missing", { policyVersion: "1" }],
    ["strings instead of booleans", { ...CONSENT, photoProcessing: "true" }],
  ])("refuses %s with 400 and records nothing", async (_name, body) => {
    const u = await h.user();
    const res = await h.json("POST", "/v1/consent", body, u.headers);
    expect(res.status).toBe(400);
    expect((await me(u.headers)).consent.given).toBe(false);
  });

  it("refuses consent to an outdated policy version with 409", async () => {
    const u = await h.user();
    const res = await h.json("POST", "/v1/consent", { ...CONSENT, policyVersion: "0" }, u.headers);
    expect(res.status).toBe(409);
    expect((await me(u.headers)).consent.given).toBe(false);
  });

  it("gives consent to the caller only", async () => {
    const a = await h.user();
    const b = await h.user();
    await h.json("POST", "/v1/consent", CONSENT, a.headers);
    expect((await me(b.headers)).consent.given).toBe(false);
  });
});
