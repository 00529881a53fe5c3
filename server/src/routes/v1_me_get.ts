// GET /v1/me: the caller — balance, billing mode, packs on sale, consent state. The first call
// creates the user with FREE_CREDITS (SPEC §4, §6.3).
import { createRoute } from "@hono/zod-openapi";
import { MeResponse } from "@headshot/shared";
import { errorResponses, type App } from "../http/openapi";
import { engineOffers } from "../domain/engine-offers";
import { packsOnSale, paymentsEnabled } from "../domain/billing-view";

const route = createRoute({
  method: "get",
  path: "/v1/me",
  tags: ["account"],
  security: [{ canvaUserToken: [] }],
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: MeResponse } } },
    ...errorResponses(401, 503),
  },
});

export function registerV1MeGet(app: App) {
  app.openapi(route, async (c) => {
    const { config } = c.get("services");
    const user = c.get("user");
    return c.json(
      {
        user: { id: user.id, restricted: user.restrictedAt !== null },
        credits: { balance: user.creditBalance },
        billing: {
          mode: config.BILLING_MODE,
          paymentsEnabled: paymentsEnabled(config),
          packs: packsOnSale(config),
        },
        consent: c.get("consent"),
        engines: engineOffers(config),
      },
      200,
    );
  });
}
