// DELETE /v1/me: erases the caller now (SPEC §4, §9) — rows in one transaction, then their files —
// and answers with a receipt id they can quote to support. Works while processing is restricted.
import { createRoute } from "@hono/zod-openapi";
import { DeleteMeResponse } from "@headshot/shared";
import { errorResponses, type App } from "../http/openapi";
import { eraseUser } from "../privacy/erasure";

const route = createRoute({
  method: "delete",
  path: "/v1/me",
  tags: ["privacy"],
  security: [{ canvaUserToken: [] }],
  responses: {
    200: {
      description: "Erased; the receipt id identifies the erasure in our audit trail",
      content: { "application/json": { schema: DeleteMeResponse } },
    },
    ...errorResponses(401, 429, 503),
  },
});

export function registerV1MeDelete(app: App) {
  app.openapi(route, async (c) => {
    const services = c.get("services");
    const receipt = await eraseUser(services, c.get("user").id, {
      actor: { type: "user" },
      now: services.clock.now(),
    });
    return c.json({ receiptId: receipt.receiptId, erasedAt: receipt.erasedAt.toISOString() }, 200);
  });
}
