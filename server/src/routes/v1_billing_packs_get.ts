// GET /v1/billing/packs: the credit packs on sale (SPEC §4, §8.1); 404 under Canva Premium.
import { createRoute } from "@hono/zod-openapi";
import { PacksResponse } from "@headshot/shared";
import { requireCreditsMode } from "../billing";
import { packsOnSale } from "../domain/billing-view";
import { errorResponses, type App } from "../http/openapi";

const route = createRoute({
  method: "get",
  path: "/v1/billing/packs",
  tags: ["billing"],
  security: [{ canvaUserToken: [] }],
  responses: {
    200: { description: "Packs on sale", content: { "application/json": { schema: PacksResponse } } },
    ...errorResponses(401, 404, 503),
  },
});

export function registerV1BillingPacksGet(app: App) {
  app.openapi(route, (c) => {
    const { config } = c.get("services");
    requireCreditsMode(config);
    return c.json({ packs: packsOnSale(config) }, 200);
  });
}
