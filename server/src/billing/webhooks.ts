// Stripe webhook events (SPEC §8.1): verified on the raw body, then applied in one transaction
// together with the record of their id, so duplicates (also concurrent ones) apply once.
//
// Order: Stripe does not guarantee it. Each event only adds facts (paid, refunded amount, dispute
// state) that merge the same in any order (purchase-rules.ts); the buyer's credits are then moved
// to what those facts entitle them to. Charge and dispute events that arrive before the checkout
// session event has linked their payment intent to a purchase wait in stripe_payment_facts.
import { isUuid } from "@headshot/shared";
import { eq, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Clock } from "../clock";
import type { Database, Tx } from "../db/client";
import { processedWebhookEvents, purchases, stripePaymentFacts } from "../db/schema";
import { applyLedgerEntry, revokeCredits } from "../domain/credits";
import { ApiError } from "../http/api-error";
import {
  disputeState,
  entitledCredits,
  mergeFacts,
  nextPaymentState,
  NO_FACTS,
  paymentState,
  purchaseStatus,
  type DisputeState,
  type PaymentFacts,
  type PaymentState,
  type SessionOutcome,
} from "./purchase-rules";
import type { StripeClient } from "./stripe-client";

/**
 * `refunded_erased_buyer`: applied, but the buyer was erased, so the credits paid for could reach
 * nobody and the payment was refunded. `refund_failed`: the same, but Stripe refused the refund
 * for good (a person must refund by hand); `credits_undeliverable`: no payment intent to refund
 * (never the case for a Checkout payment).
 */
export type WebhookOutcome =
  "applied" | "refunded_erased_buyer" | "refund_failed" | "credits_undeliverable" | "duplicate" | "ignored";

/** A purchase entitling an erased buyer to credits nobody can receive. */
export interface UndeliverablePurchase {
  purchaseId: string;
  paymentIntentId: string | null;
}

/** Gives an erased buyer's payment back. Called inside the event's transaction: a transient
 * failure throws, rolling the event back for Stripe to deliver again; a refusal for good returns
 * its reason, and the event commits. */
export type RefundErasedBuyer = (purchase: {
  purchaseId: string;
  paymentIntentId: string;
}) => Promise<{ refunded: true } | { refunded: false; reason: string }>;

const SIGNATURE_TOLERANCE_S = 300;
// Namespace of the per-payment-intent advisory locks (any constant unused elsewhere).
const PAYMENT_LOCK_NAMESPACE = 727_002;

type PurchaseRow = typeof purchases.$inferSelect;

interface EventContext {
  eventId: string;
  type: Stripe.Event["type"];
  now: Date;
  /** Credits granted by purchase entries while applying the event (for the metrics). */
  creditsSold: number;
}

export interface WebhookResult {
  outcome: WebhookOutcome;
  creditsSold: number;
  /** With `refund_failed`: the purchase and Stripe's reason, for the person who refunds by hand. */
  refundFailure?: { purchaseId: string; reason: string };
}

/** Applies the event; the purchase when it entitles an erased buyer to credits nobody can receive. */
type Effect = (tx: Tx, ctx: EventContext) => Promise<UndeliverablePurchase | null>;

/** The event, if the signature over the raw body is valid and at most 5 minutes old. */
export function verifyStripeEvent(
  stripe: StripeClient,
  rawBody: string,
  signature: string | undefined,
  secret: string,
): Stripe.Event {
  if (!signature) throw new ApiError("BAD_REQUEST", "The Stripe-Signature header is missing.");
  try {
    return stripe.webhooks.constructEvent(rawBody, signature, secret, SIGNATURE_TOLERANCE_S);
  } catch (err) {
    throw new ApiError("BAD_REQUEST", "The Stripe signature is invalid or too old.", { cause: err });
  }
}

export async function handleStripeEvent(
  db: Database,
  event: Stripe.Event,
  clock: Clock,
  refundErasedBuyer: RefundErasedBuyer,
): Promise<WebhookResult> {
  const effect = effectOf(event);
  if (!effect) return { outcome: "ignored", creditsSold: 0 };
  const ctx: EventContext = { eventId: event.id, type: event.type, now: clock.now(), creditsSold: 0 };
  return db.transaction(async (tx): Promise<WebhookResult> => {
    const result = (outcome: WebhookOutcome) => ({ outcome, creditsSold: ctx.creditsSold });
    // A concurrent duplicate waits here on the primary key until the first commits, then skips.
    const [first] = await tx
      .insert(processedWebhookEvents)
      .values({ id: event.id, source: "stripe", type: event.type, processedAt: clock.now() })
      .onConflictDoNothing()
      .returning({ id: processedWebhookEvents.id });
    if (!first) return result("duplicate");
    const undeliverable = await effect(tx, ctx);
    if (!undeliverable) return result("applied");
    const { purchaseId, paymentIntentId } = undeliverable;
    // Without a payment intent there is nothing to refund; Stripe retrying can't bring the buyer back.
    if (!paymentIntentId) return result("credits_undeliverable");
    const refund = await refundErasedBuyer({ purchaseId, paymentIntentId });
    if (refund.refunded) return result("refunded_erased_buyer");
    return { ...result("refund_failed"), refundFailure: { purchaseId, reason: refund.reason } };
  });
}

function effectOf(event: Stripe.Event): Effect | undefined {
  switch (event.type) {
    case "checkout.session.completed": {
      const session = event.data.object;
      const outcome = session.payment_status === "unpaid" ? "unpaid" : "paid";
      return (tx, ctx) => onSession(tx, session, outcome, ctx);
    }
    case "checkout.session.async_payment_succeeded":
      return (tx, ctx) => onSession(tx, event.data.object, "paid", ctx);
    case "checkout.session.async_payment_failed":
      return (tx, ctx) => onSession(tx, event.data.object, "failed", ctx);
    case "checkout.session.expired":
      return (tx, ctx) => onSession(tx, event.data.object, "expired", ctx);
    case "charge.refunded": {
      const charge = event.data.object;
      const facts = { chargeId: charge.id, amountRefundedCents: charge.amount_refunded };
      return (tx, ctx) => onPaymentFacts(tx, idOf(charge.payment_intent), facts, ctx);
    }
    case "charge.dispute.created":
    case "charge.dispute.closed": {
      const dispute = event.data.object;
      const facts = {
        chargeId: idOf(dispute.charge),
        disputeStatus: disputeState(dispute.status, event.type === "charge.dispute.closed"),
      };
      return (tx, ctx) => onPaymentFacts(tx, idOf(dispute.payment_intent), facts, ctx);
    }
    default:
      return undefined;
  }
}

async function onSession(
  tx: Tx,
  session: Stripe.Checkout.Session,
  outcome: SessionOutcome,
  ctx: EventContext,
): Promise<UndeliverablePurchase | null> {
  const paymentIntentId = idOf(session.payment_intent);
  if (paymentIntentId) await lockPayment(tx, paymentIntentId);
  const purchaseId = session.metadata?.purchaseId;
  const purchase = await lockPurchase(
    tx,
    or(
      eq(purchases.stripeCheckoutSessionId, session.id),
      purchaseId && isUuid(purchaseId) ? eq(purchases.id, purchaseId) : undefined,
    ),
  );
  // A session some other integration on the same Stripe account created: not ours to fulfil.
  if (!purchase) return null;

  let facts = factsOf(purchase);
  if (paymentIntentId && !purchase.stripePaymentIntentId) {
    const [parked] = await tx
      .delete(stripePaymentFacts)
      .where(eq(stripePaymentFacts.paymentIntentId, paymentIntentId))
      .returning();
    if (parked) facts = mergeFacts(facts, factsOf(parked));
  }
  return settle(tx, purchase, nextPaymentState(paymentState(purchase.status), outcome), facts, ctx, {
    stripeCheckoutSessionId: session.id,
    stripePaymentIntentId: paymentIntentId ?? purchase.stripePaymentIntentId,
    stripeCustomerId: idOf(session.customer) ?? purchase.stripeCustomerId,
    customerEmail: session.customer_details?.email ?? purchase.customerEmail,
  });
}

async function onPaymentFacts(
  tx: Tx,
  paymentIntentId: string | null,
  incoming: Partial<PaymentFacts>,
  ctx: EventContext,
): Promise<UndeliverablePurchase | null> {
  // Every Checkout payment has a payment intent; a charge without one was not sold by us.
  if (!paymentIntentId) return null;
  await lockPayment(tx, paymentIntentId);
  const purchase = await lockPurchase(tx, eq(purchases.stripePaymentIntentId, paymentIntentId));
  if (purchase) {
    return settle(tx, purchase, paymentState(purchase.status), mergeFacts(factsOf(purchase), incoming), ctx);
  }
  const [parked] = await tx
    .select()
    .from(stripePaymentFacts)
    .where(eq(stripePaymentFacts.paymentIntentId, paymentIntentId));
  const merged = { ...mergeFacts(parked ? factsOf(parked) : NO_FACTS, incoming), updatedAt: ctx.now };
  await tx
    .insert(stripePaymentFacts)
    .values({ paymentIntentId, ...merged })
    .onConflictDoUpdate({ target: stripePaymentFacts.paymentIntentId, set: merged });
  return null;
}

/**
 * Writes the purchase's new state and moves the buyer's credits to what it now entitles them to;
 * returns the purchase when the buyer was erased and it now entitles them to credits they don't hold.
 */
async function settle(
  tx: Tx,
  purchase: PurchaseRow,
  payment: PaymentState,
  facts: PaymentFacts,
  ctx: EventContext,
  links: Partial<PurchaseRow> = {},
): Promise<UndeliverablePurchase | null> {
  const target = entitledCredits({
    payment,
    credits: purchase.credits,
    amountCents: purchase.amountCents,
    facts,
  });
  // An erased buyer's purchase keeps its billing facts; there is nobody left to credit, and the
  // payer's email and Stripe customer, which erasure cleared, must not come back with the event.
  const erased = purchase.userId === null;
  const counters =
    purchase.userId === null ? purchase : await moveCredits(tx, purchase, purchase.userId, target, ctx);
  const { customerEmail, stripeCustomerId, ...billingLinks } = links;
  await tx
    .update(purchases)
    .set({
      ...billingLinks,
      ...(erased ? {} : { customerEmail, stripeCustomerId }),
      status: purchaseStatus(payment, purchase.amountCents, facts.amountRefundedCents),
      stripeChargeId: facts.chargeId,
      amountRefundedCents: facts.amountRefundedCents,
      disputed: facts.disputeStatus !== null,
      disputeStatus: facts.disputeStatus,
      creditsGranted: counters.creditsGranted,
      creditsRevoked: counters.creditsRevoked,
      creditsShortfall: counters.creditsShortfall,
      updatedAt: ctx.now,
    })
    .where(eq(purchases.id, purchase.id));
  const held = counters.creditsGranted - counters.creditsRevoked - counters.creditsShortfall;
  if (!erased || target <= held) return null;
  return {
    purchaseId: purchase.id,
    paymentIntentId: links.stripePaymentIntentId ?? purchase.stripePaymentIntentId,
  };
}

/**
 * The one ledger entry (referencing the event) that moves the buyer from the credits they hold
 * from this purchase to `target`; returns the purchase's updated counters.
 */
async function moveCredits(tx: Tx, purchase: PurchaseRow, userId: string, target: number, ctx: EventContext) {
  let { creditsGranted, creditsRevoked, creditsShortfall } = purchase;
  // A shortfall was spent before it could be taken back: it counts as no longer held.
  const delta = target - (creditsGranted - creditsRevoked - creditsShortfall);
  const entry = { userId, purchaseId: purchase.id, stripeEventId: ctx.eventId };
  if (delta > 0) {
    // A reinstated payment first forgives the shortfall: those credits were used, not returned.
    const forgiven = Math.min(creditsShortfall, delta);
    creditsShortfall -= forgiven;
    if (delta > forgiven) {
      const kind = ctx.type === "charge.dispute.closed" ? "dispute_reversal" : "purchase";
      await applyLedgerEntry(tx, { ...entry, kind, delta: delta - forgiven });
      creditsGranted += delta - forgiven;
      if (kind === "purchase") ctx.creditsSold += delta - forgiven;
    }
  } else if (delta < 0) {
    const kind = ctx.type === "charge.refunded" ? "purchase_refund" : "dispute";
    const taken = await revokeCredits(tx, { ...entry, kind, wanted: -delta });
    creditsRevoked += taken.revoked;
    creditsShortfall += taken.shortfall;
  }
  return { creditsGranted, creditsRevoked, creditsShortfall };
}

/** Serialises every event about one payment, so a purchase and its parked facts can't miss each other. */
async function lockPayment(tx: Tx, paymentIntentId: string) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(${PAYMENT_LOCK_NAMESPACE}, hashtext(${paymentIntentId}))`,
  );
}

async function lockPurchase(tx: Tx, where: ReturnType<typeof or>): Promise<PurchaseRow | undefined> {
  const [row] = await tx.select().from(purchases).where(where).for("update");
  return row;
}

/** The facts held by a purchase or by a parked row (whose dispute_status column is plain text). */
function factsOf(row: PurchaseRow | typeof stripePaymentFacts.$inferSelect): PaymentFacts {
  return {
    chargeId: "chargeId" in row ? row.chargeId : row.stripeChargeId,
    amountRefundedCents: row.amountRefundedCents,
    disputeStatus: row.disputeStatus as DisputeState | null,
  };
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  return typeof ref === "string" ? ref : (ref?.id ?? null);
}
