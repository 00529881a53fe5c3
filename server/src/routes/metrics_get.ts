// GET /metrics: this process's Prometheus metrics (SPEC §4, §11), for a scraper holding
// METRICS_TOKEN. Without the token configured the route does not exist.
import { createHash, timingSafeEqual } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../http/api-error";
import { errorResponses, type App } from "../http/openapi";

const route = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["operations"],
  security: [{ metricsToken: [] }],
  description: "Prometheus text format. Needs `Authorization: Bearer <METRICS_TOKEN>`.",
  responses: {
    200: {
      description: "The metrics of the instance that answered",
      content: { "text/plain": { schema: z.string() } },
    },
    ...errorResponses(401, 404),
  },
});

export function registerMetricsGet(app: App) {
  app.openapi(route, async (c) => {
    const { config, metrics } = c.get("services");
    if (!config.METRICS_TOKEN) throw new ApiError("NOT_FOUND", "Metrics are not enabled on this server.");
    if (!sameSecret(c.req.header("Authorization") ?? "", `Bearer ${config.METRICS_TOKEN}`)) {
      throw new ApiError("UNAUTHORIZED", "GET /metrics needs the metrics bearer token.", {
        headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
      });
    }
    return c.text(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType });
  });
}

/** Constant-time equality of two strings of any length (compared as SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
