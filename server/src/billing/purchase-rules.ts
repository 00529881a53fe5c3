// The rules of one purchase as pure functions: how Stripe's facts about a payment combine in any
// arrival order, and how many of the pack's credits the buyer is entitled to hold (SPEC §8.1).
import type { purchases } from "../db/schema";

export type PurchaseStatus = (typeof purchases.$inferSelect)["status"];
export type PaymentState = "pending" | "paid" | "failed" | "expired";
/** What a checkout session event says about the payment. */
export type SessionOutcome = "paid" | "unpaid" | "failed" | "expired";
export type DisputeState = "open" | "won" | "lost";

/** What charge and dispute events tell us; each field only moves forward. */
export interface PaymentFacts {
  chargeId: string | null;
  amountRefundedCents: number;
  disputeStatus: DisputeState | null;
}

export const NO_FACTS: PaymentFacts = { chargeId: null, amountRefundedCents: 0, disputeStatus: null };

/**
 * Combines what we knew with what an event says. Order-independent: `amount_refunded` only grows,
 * so the larger value is the later one, and a closed dispute is final (a late "created" event
 * must not reopen it).
 */
export function mergeFacts(known: PaymentFacts, incoming: Partial<PaymentFacts>): PaymentFacts {
  const closed = known.disputeStatus === "won" || known.disputeStatus === "lost";
  return {
    chargeId: incoming.chargeId ?? known.chargeId,
    amountRefundedCents: Math.max(known.amountRefundedCents, incoming.amountRefundedCents ?? 0),
    disputeStatus: closed ? known.disputeStatus : (incoming.disputeStatus ?? known.disputeStatus),
  };
}

/** Our reading of a Stripe dispute: closed in our favour restores the credits, anything else not. */
export function disputeState(stripeStatus: string, closed: boolean): DisputeState {
  if (!closed) return "open";
  // warning_closed: an inquiry that never became a chargeback, so no money was taken back.
  return stripeStatus === "won" || stripeStatus === "warning_closed" ? "won" : "lost";
}

export function paymentState(status: PurchaseStatus): PaymentState {
  return status === "refunded" || status === "partially_refunded" ? "paid" : status;
}

/** Money received wins over anything; otherwise the first final outcome stays. */
export function nextPaymentState(current: PaymentState, outcome: SessionOutcome): PaymentState {
  if (outcome === "paid") return "paid";
  if (current !== "pending" || outcome === "unpaid") return current;
  return outcome;
}

export function purchaseStatus(
  payment: PaymentState,
  amountCents: number,
  amountRefundedCents: number,
): PurchaseStatus {
  if (payment !== "paid" || amountRefundedCents <= 0) return payment;
  return amountRefundedCents >= amountCents ? "refunded" : "partially_refunded";
}

/**
 * Credits the buyer should hold from this purchase: the pack once paid, less the refunded share
 * (rounded in the buyer's favour; a full refund takes all), and none while a dispute is open or lost.
 */
export function entitledCredits(p: {
  payment: PaymentState;
  credits: number;
  amountCents: number;
  facts: PaymentFacts;
}): number {
  if (p.payment !== "paid") return 0;
  if (p.facts.disputeStatus === "open" || p.facts.disputeStatus === "lost") return 0;
  const refunded = Math.min(p.facts.amountRefundedCents, p.amountCents);
  return p.credits - Math.floor((p.credits * refunded) / p.amountCents);
}
