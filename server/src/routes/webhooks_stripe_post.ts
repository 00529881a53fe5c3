// POST /webhooks/stripe: Stripe events, signature-verified on the raw body (SPEC §4, §8.1).
// Outside /v1, so no Canva auth: the signature is the authentication.
import { createRoute, z } from "@hono/zod-openapi";
import { erasedBuyerRefunds, handleStripeEvent, verifyStripeEvent } from "../billing";
import { ApiError } from "../http/api-error";
import { errorResponses, type App } from "../http/openapi";

const route = createRoute({
  method: "post",
  path: "/webhooks/stripe",
  tags: ["webhooks"],
  description:
    "A Stripe event, signed with `Stripe-Signature`. Events of other types are acknowledged and ignored.",
  responses: {
    200: {
      description: "Received (applied now, or already before)",
      content: { "application/json": { schema: z.object({ received: z.literal(true) }) } },
    },
    ...errorResponses(400, 503),
  },
});

export function registerWebhooksStripePost(app: App) {
  app.openapi(route, async (c) => {
    const { config, db, clock, logger, metrics, stripe } = c.get("services");
    if (!stripe || !config.STRIPE_WEBHOOK_SECRET) {
      // Not 2xx: Stripe keeps retrying for days, so events survive until the keys are configured.
      throw new ApiError("UNAVAILABLE", "Stripe webhooks are not configured on this server.", {
        headers: { "Retry-After": "3600" },
      });
    }
    // The signature covers the exact bytes sent: read the raw text, never re-serialised JSON.
    const raw = await c.req.text();
    const event = verifyStripeEvent(
      stripe,
      raw,
      c.req.header("Stripe-Signature"),
      config.STRIPE_WEBHOOK_SECRET,
    );
    const { outcome, creditsSold, refundFailure } = await handleStripeEvent(
      db,
      event,
      clock,
      erasedBuyerRefunds(stripe),
    );
    // Types we ignore are counted together: a subscription to every event type adds no series.
    metrics.webhookEvents.inc({ type: outcome === "ignored" ? "other" : event.type, outcome });
    metrics.creditsSold.inc(creditsSold);
    const line = { requestId: c.get("requestId"), eventId: event.id, type: event.type, outcome };
    if (refundFailure) {
      logger.error({ ...line, ...refundFailure }, "stripe webhook: refund the erased buyer by hand");
    } else {
      logger.info(line, "stripe webhook");
    }
    return c.json({ received: true as const }, 200);
  });
}
