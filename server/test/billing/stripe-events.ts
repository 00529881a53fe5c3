// Test helpers for billing: a harness wired to the fake Stripe, a real checkout through the API,
// and Stripe events built like Stripe's and delivered signed to POST /webhooks/stripe.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import type { Database } from "../../src/db/client";
import { purchases } from "../../src/db/schema";
import { createHarness, type Harness, type HarnessOptions, type TestUser } from "../support/harness";
import { startFakeStripe, type FakeStripe } from "./fake-stripe";

export const WEBHOOK_SECRET = "whsec_test_billing_secret";
export const SECRET_KEY = "sk_test_fake_billing_key";

export interface BillingHarness extends Harness {
  stripe: FakeStripe;
}

export async function createBillingHarness(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<BillingHarness> {
  const stripe = await startFakeStripe();
  const h = await createHarness(
    {
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.url,
      PUBLIC_BASE_URL: "https://headshots.example.com",
      FREE_CREDITS: "0",
      ...env,
    },
    options,
  );
  return {
    ...h,
    stripe,
    close: async () => {
      await h.close();
      await stripe.close();
    },
  };
}

/** A purchase as Stripe's events name it. */
export interface Purchase {
  userId: string;
  purchaseId: string;
  sessionId: string;
  /** The payment intent Stripe will create when the buyer pays. */
  paymentIntentId: string;
}

export interface Bought extends Purchase {
  user: TestUser;
}

/** A pending purchase made through POST /v1/billing/checkout, as a buyer would. */
export async function checkout(h: BillingHarness, packId = "starter", user?: TestUser): Promise<Bought> {
  const buyer = user ?? (await h.user());
  const res = await h.json("POST", "/v1/billing/checkout", { packId }, buyer.headers);
  if (res.status !== 200) throw new Error(`checkout failed: ${res.status} ${await res.text()}`);
  const { url } = (await res.json()) as { url: string };
  return { user: buyer, ...(await purchaseOf(h.services.db, url)) };
}

/** The pending purchase behind the URL POST /v1/billing/checkout answered (the fake's session id ends it). */
export async function purchaseOf(db: Database, checkoutUrl: string): Promise<Purchase> {
  const sessionId = checkoutUrl.split("/").at(-1)!;
  const [row] = await db.select().from(purchases).where(eq(purchases.stripeCheckoutSessionId, sessionId));
  if (!row) throw new Error(`no purchase for the checkout session ${sessionId}`);
  return {
    userId: row.userId!,
    purchaseId: row.id,
    sessionId,
    paymentIntentId: `pi_test_${randomUUID().replaceAll("-", "")}`,
  };
}

export async function balanceOf(h: Harness, user: TestUser): Promise<number> {
  const res = await h.app.request("/v1/me", { headers: user.headers });
  return ((await res.json()) as { credits: { balance: number } }).credits.balance;
}

export async function purchaseRow(h: Harness, purchaseId: string) {
  const [row] = await h.services.db.select().from(purchases).where(eq(purchases.id, purchaseId));
  return row!;
}

type EventType = Stripe.Event["type"];

export function stripeEvent(type: EventType, object: Record<string, unknown>) {
  return {
    id: `evt_test_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function sessionEvent(
  type:
    | "checkout.session.completed"
    | "checkout.session.async_payment_succeeded"
    | "checkout.session.async_payment_failed",
  b: Purchase,
  paymentStatus: "paid" | "unpaid" = "paid",
) {
  return stripeEvent(type, {
    id: b.sessionId,
    object: "checkout.session",
    mode: "payment",
    status: "complete",
    payment_status: paymentStatus,
    payment_intent: b.paymentIntentId,
    amount_total: 900,
    currency: "usd",
    client_reference_id: b.userId,
    customer: null,
    customer_details: { email: "buyer@example.com" },
    metadata: { purchaseId: b.purchaseId, userId: b.userId, packId: "starter" },
  });
}

export function refundEvent(b: Purchase, amountRefunded: number, amount = 900) {
  return stripeEvent("charge.refunded", {
    id: `ch_for_${b.paymentIntentId}`,
    object: "charge",
    amount,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= amount,
    payment_intent: b.paymentIntentId,
    currency: "usd",
  });
}

export function disputeEvent(
  type: "charge.dispute.created" | "charge.dispute.closed",
  b: Purchase,
  status: string,
) {
  return stripeEvent(type, {
    id: `dp_for_${b.paymentIntentId}`,
    object: "dispute",
    amount: 900,
    charge: `ch_for_${b.paymentIntentId}`,
    payment_intent: b.paymentIntentId,
    status,
    currency: "usd",
  });
}

/** A Stripe-Signature header for this payload, made the way Stripe signs its webhooks. */
export function stripeSignature(payload: string, opts: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? WEBHOOK_SECRET,
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
  });
}

/** Delivers an event to POST /webhooks/stripe, signed like Stripe signs it. */
export async function deliver(
  h: BillingHarness,
  event: unknown,
  opts: { secret?: string; timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const payload = JSON.stringify(event);
  return h.app.request("/webhooks/stripe", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Stripe-Signature": opts.signature ?? stripeSignature(payload, opts),
    },
    body: payload,
  });
}
