// Billing (SPEC §8): credit packs sold through Stripe Checkout, Stripe webhooks, and the Canva
// Premium check. The only module that talks to Stripe; routes reach Stripe through it.
export { CANCEL_PATH, createCheckout, requireCreditsMode, SUCCESS_PATH } from "./checkout";
export { requirePremiumAction } from "./premium";
export { erasedBuyerRefunds } from "./refunds";
export { createStripeClient, type StripeClient } from "./stripe-client";
export { handleStripeEvent, verifyStripeEvent, type WebhookOutcome, type WebhookResult } from "./webhooks";
