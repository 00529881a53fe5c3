// Canva Premium mode (SPEC §8.2): generation is paid for through Canva's billable action, proven
// by the verified token, and tracked by the usage id the panel sends with the request.
import { ApiError } from "../http/api-error";

export const PREMIUM_ACTION = "generate_image";
export const PREMIUM_USAGE_HEADER = "Canva-Premium-Usage-Id";

// Canva does not document the id's format: accept any plain token, refuse what could inject logs.
const USAGE_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Checks a generation request under BILLING_MODE=canva_premium: the token must carry the
 * `generate_image` billable action (403) and the request a well-formed usage id (400).
 */
export function requirePremiumAction(
  identity: { billableActions: string[] },
  usageIdHeader: string | undefined,
): { premiumUsageId: string } {
  if (!identity.billableActions.includes(PREMIUM_ACTION)) {
    throw new ApiError(
      "FORBIDDEN",
      "Generating headshots needs Headshot Studio's premium feature to be enabled in Canva. Enable it and try again.",
      { reason: "PREMIUM_ACTION_REQUIRED" },
    );
  }
  const usageId = usageIdHeader?.trim();
  if (!usageId || !USAGE_ID.test(usageId)) {
    throw new ApiError(
      "BAD_REQUEST",
      `The ${PREMIUM_USAGE_HEADER} header is ${usageId ? "malformed" : "missing"}: send the id of the Canva tracking session.`,
    );
  }
  return { premiumUsageId: usageId };
}
