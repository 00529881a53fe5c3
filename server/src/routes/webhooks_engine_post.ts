// POST /webhooks/engine: the generative provider's completion callbacks (SPEC §4, §7.3). Outside
// /v1, so no Canva auth: the callback is verified per provider kind (Replicate: Standard Webhooks
// signature; Cog: bearer token) before anything in it is read, then applied once.
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../http/api-error";
import { errorResponses, type App } from "../http/openapi";
import { CallbackRejected } from "../generative/provider";

const route = createRoute({
  method: "post",
  path: "/webhooks/engine",
  tags: ["webhooks"],
  description:
    "A completed prediction of the generative engine: signed with Standard Webhooks headers (Replicate) or carrying `Authorization: Bearer` (Cog). `attempt` is the id our server gave the prediction.",
  request: { query: z.object({ attempt: z.uuid().optional() }) },
  responses: {
    200: {
      description: "Applied now, or about a prediction that has already moved on",
      content: {
        "application/json": {
          schema: z.object({ received: z.literal(true), outcome: z.enum(["applied", "stale"]) }),
        },
      },
    },
    ...errorResponses(400, 404),
  },
});

export function registerWebhooksEnginePost(app: App) {
  app.openapi(route, async (c) => {
    const { generative, metrics, logger } = c.get("services");
    if (!generative) {
      throw new ApiError("NOT_FOUND", "This server runs no generative engine.");
    }
    // The signature covers the exact bytes sent: read the raw text, never re-serialised JSON.
    const raw = await c.req.text();
    let callback;
    try {
      callback = generative.provider.verifyCallback(c.req.raw.headers, raw);
    } catch (err) {
      if (!(err instanceof CallbackRejected)) throw err;
      metrics.engineCallbacks.inc({ outcome: "rejected" });
      throw new ApiError("BAD_REQUEST", `The callback did not verify: ${err.message}`);
    }
    const outcome = await generative.apply({
      attemptId: c.req.valid("query").attempt,
      state: callback.state,
      deliveryId: callback.deliveryId,
    });
    metrics.engineCallbacks.inc({ outcome });
    logger.info({ requestId: c.get("requestId"), status: callback.state.status, outcome }, "engine callback");
    if (outcome === "duplicate") {
      // A replay of a delivery already applied: refused, nothing changes.
      throw new ApiError("BAD_REQUEST", "This callback was already delivered.");
    }
    return c.json({ received: true as const, outcome }, 200);
  });
}
