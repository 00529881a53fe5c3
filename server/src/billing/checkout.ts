// Selling a credit pack: the pending purchase row and the Stripe Checkout Session that pays it.
// Credits are granted only by the webhook (webhooks.ts), never here nor by the success page.
import { eq } from "drizzle-orm";
import type { Clock } from "../clock";
import type { Config } from "../config/config";
import type { Database } from "../db/client";
import { purchases } from "../db/schema";
import { ApiError } from "../http/api-error";
import type { StripeClient } from "./stripe-client";

export interface CheckoutInput {
  db: Database;
  stripe: StripeClient;
  clock: Clock;
  config: Pick<Config, "CREDIT_PACKS" | "publicBaseUrl">;
  userId: string;
  packId: string;
}

export const SUCCESS_PATH = "/billing/success";
export const CANCEL_PATH = "/billing/cancel";

/** Under Canva Premium no off-platform credit system may exist (SPEC §8.2): its routes are absent. */
export function requireCreditsMode(config: Pick<Config, "BILLING_MODE">): void {
  if (config.BILLING_MODE !== "credits") {
    throw new ApiError("NOT_FOUND", "Credit packs are not sold in this app; it is billed through Canva.");
  }
}

/** Creates the purchase (pending) and its Checkout Session; returns the URL to pay at. */
export async function createCheckout(input: CheckoutInput): Promise<{ url: string; purchaseId: string }> {
  const { db, stripe, clock, config, userId } = input;
  const pack = config.CREDIT_PACKS.find((p) => p.id === input.packId);
  if (!pack) throw new ApiError("BAD_REQUEST", `packId: there is no credit pack "${input.packId}".`);

  // The row exists before Stripe knows the session, so the webhook can always find it by id.
  const [purchase] = await db
    .insert(purchases)
    .values({
      userId,
      packId: pack.id,
      credits: pack.credits,
      amountCents: pack.priceCents,
      currency: pack.currency,
    })
    .returning({ id: purchases.id });
  const purchaseId = purchase!.id;
  const metadata = { purchaseId, userId, packId: pack.id };

  let session;
  try {
    session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: pack.currency,
            unit_amount: pack.priceCents,
            product_data: { name: `Headshot Studio ${pack.name}: ${pack.credits} credits` },
          },
        },
      ],
      client_reference_id: userId,
      metadata,
      // Charges and disputes carry the payment intent, so support can trace them to us in Stripe.
      payment_intent_data: { metadata },
      success_url: `${config.publicBaseUrl}${SUCCESS_PATH}`,
      cancel_url: `${config.publicBaseUrl}${CANCEL_PATH}`,
    });
  } catch (err) {
    // Nothing was sold: the row would only be noise among the billing records.
    await db.delete(purchases).where(eq(purchases.id, purchaseId));
    throw new ApiError("UNAVAILABLE", "Payments are unavailable right now. Please try again in a minute.", {
      headers: { "Retry-After": "60" },
      cause: err,
    });
  }
  if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a url`);

  await db
    .update(purchases)
    .set({ stripeCheckoutSessionId: session.id, updatedAt: clock.now() })
    .where(eq(purchases.id, purchaseId));
  return { url: session.url, purchaseId };
}
