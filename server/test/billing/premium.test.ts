// requirePremiumAction: the Canva Premium gate of generation (SPEC §8.2).
import { describe, expect, it } from "vitest";
import { requirePremiumAction } from "../../src/billing/premium";
import { ApiError } from "../../src/http/api-error";

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}

describe("requirePremiumAction", () => {
  it("returns the usage id when the token carries generate_image", () => {
    expect(requirePremiumAction({ billableActions: ["generate_image"] }, "usage_abc-123")).toEqual({
      premiumUsageId: "usage_abc-123",
    });
  });

  it("refuses a token without generate_image with 403 PREMIUM_ACTION_REQUIRED and a clear sentence", () => {
    for (const billableActions of [[], ["generate_video"]]) {
      const err = thrown(() => requirePremiumAction({ billableActions }, "usage_abc"));
      expect(err).toMatchObject({ code: "FORBIDDEN", status: 403, reason: "PREMIUM_ACTION_REQUIRED" });
      expect(err.message).toMatch(/premium feature/);
    }
  });

  it("checks the billable action before the header, so the 403 is what a non-premium user sees", () => {
    expect(thrown(() => requirePremiumAction({ billableActions: [] }, undefined)).status).toBe(403);
  });

  it("refuses a missing, empty or malformed Canva-Premium-Usage-Id with 400", () => {
    for (const header of [undefined, "", "   ", "has space", "a\nb", "x".repeat(201), "<script>"]) {
      const err = thrown(() => requirePremiumAction({ billableActions: ["generate_image"] }, header));
      expect(err).toMatchObject({ code: "BAD_REQUEST", status: 400 });
      expect(err.message).toContain("Canva-Premium-Usage-Id");
    }
  });
});
