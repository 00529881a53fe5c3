// The refund for a buyer erased before their payment's webhook arrived (SPEC §8.1, §9): the credits
// it bought can reach nobody, so the money goes back to the card it came from.
//
// No idempotency key: a refund without an amount takes what is left of the charge, so a repeat
// (Stripe's redelivery, a timeout that did go through) finds nothing left, and events about one
// payment are serialised by its lock. A key would also make Stripe replay a failure for 24 hours.
import { ApiError } from "../http/api-error";
import type { StripeClient } from "./stripe-client";
import type { RefundErasedBuyer } from "./webhooks";

/** The call runs inside the event's transaction, holding the payment's locks: keep it short. */
const REFUND_TIMEOUT_MS = 10_000;

export function erasedBuyerRefunds(stripe: StripeClient): RefundErasedBuyer {
  return async ({ purchaseId, paymentIntentId }) => {
    try {
      await stripe.refunds.create(
        { payment_intent: paymentIntentId, metadata: { purchaseId, cause: "buyer_erased" } },
        { timeout: REFUND_TIMEOUT_MS },
      );
      return { refunded: true };
    } catch (err) {
      // Refunded already (by hand in the dashboard, say): nothing is left to give back.
      const { errors } = stripe;
      if (err instanceof errors.StripeInvalidRequestError && err.code === "charge_already_refunded") {
        return { refunded: true };
      }
      if (transient(errors, err)) {
        throw new ApiError(
          "UNAVAILABLE",
          "Stripe could not refund an erased buyer just now; the event will be retried.",
          {
            cause: err,
          },
        );
      }
      // Refused for good (a disputed charge, a missing permission): retrying can't help.
      const reason = err instanceof errors.StripeError ? (err.code ?? err.type) : String(err);
      return { refunded: false, reason };
    }
  };
}

/** Worth Stripe delivering the event again: no answer, Stripe's own failure, or a rate limit. */
function transient(errors: StripeClient["errors"], err: unknown): boolean {
  return (
    err instanceof errors.StripeConnectionError ||
    err instanceof errors.StripeAPIError ||
    err instanceof errors.StripeRateLimitError ||
    (err instanceof errors.StripeError && (err.statusCode ?? 500) >= 500)
  );
}
