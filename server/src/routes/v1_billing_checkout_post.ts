// POST /v1/billing/checkout {packId}: a Stripe Checkout Session for the caller, as {url}
// (SPEC §4, §8.1). Rate-limited per user ("checkout", SPEC §6.2) by the limiter mounted in app.ts.
import { createRoute } from "@hono/zod-openapi";
import { CheckoutRequest, CheckoutResponse } from "@headshot/shared";
import { createCheckout, requireCreditsMode } from "../billing";
import { ApiError } from "../http/api-error";
import { errorResponses, type App } from "../http/openapi";

const route = createRoute({
  method: "post",
  path: "/v1/billing/checkout",
  tags: ["billing"],
  security: [{ canvaUserToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: CheckoutRequest } } } },
  responses: {
    200: {
      description: "Where to pay",
      content: { "application/json": { schema: CheckoutResponse } },
    },
    ...errorResponses(400, 401, 404, 429, 503),
  },
});

export function registerV1BillingCheckoutPost(app: App) {
  app.openapi(route, async (c) => {
    const { config, db, clock, stripe } = c.get("services");
    requireCreditsMode(config);
    if (!stripe) {
      throw new ApiError(
        "UNAVAILABLE",
        "Credit packs can't be bought on this server: payments are not set up.",
        {
          headers: { "Retry-After": "3600" },
        },
      );
    }
    const { url } = await createCheckout({
      db,
      stripe,
      clock,
      config,
      userId: c.get("user").id,
      packId: c.req.valid("json").packId,
    });
    return c.json({ url }, 200);
  });
}
