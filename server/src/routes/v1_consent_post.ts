// POST /v1/consent: records consent to photo processing and the 18+ confirmation for a policy
// version; both flags are required (SPEC §4, §9).
import { createRoute } from "@hono/zod-openapi";
import { ConsentRequest, ConsentState } from "@headshot/shared";
import { recordConsent } from "../domain/consent";
import { errorResponses, type App } from "../http/openapi";

const route = createRoute({
  method: "post",
  path: "/v1/consent",
  tags: ["account"],
  security: [{ canvaUserToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: ConsentRequest } } } },
  responses: {
    200: { description: "The consent state", content: { "application/json": { schema: ConsentState } } },
    ...errorResponses(400, 401, 409, 429, 503),
  },
});

export function registerV1ConsentPost(app: App) {
  app.openapi(route, async (c) => {
    const { db, clock } = c.get("services");
    const state = await recordConsent(db, c.get("user").id, c.req.valid("json"), clock.now());
    return c.json(state, 200);
  });
}
