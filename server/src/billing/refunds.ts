// The refund for a buyer erased before their payment's webhook arrived (SPEC §8.1, §9): the credits
// it bought can reach nobody, so the money goes back to the card it came from.
import Stripe from "stripe";
import { ApiError } from "../http/api-error";
import type { StripeClient } from "./stripe-client";
import type { RefundErasedBuyer } from "./webhooks";

export function erasedBuyerRefunds(stripe: StripeClient): RefundErasedBuyer {
  return async ({ purchaseId, paymentIntentId }) => {
    try {
      await stripe.refunds.create(
        { payment_intent: paymentIntentId, metadata: { purchaseId, cause: "buyer_erased" } },
        // Several events about one payment, or Stripe's redelivery, ask for one refund.
        { idempotencyKey: `refund-erased-buyer-${purchaseId}` },
      );
    } catch (err) {
      // Refunded already (by hand in the dashboard, say): nothing is left to give back.
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "charge_already_refunded")
        return;
      throw new ApiError(
        "UNAVAILABLE",
        "Stripe did not take the refund for an erased buyer; the event will be retried.",
        {
          cause: err,
        },
      );
    }
  };
}
