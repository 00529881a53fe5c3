// requestLogger: one JSON line per request with the route pattern (never the raw path, which may
// hold a file token), status and duration. No headers, no bodies, no client IP.
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { HonoEnv } from "../env";

export const requestLogger = (): MiddlewareHandler<HonoEnv> =>
  async function requestLogger(c, next) {
    const started = performance.now();
    await next();
    c.get("services").logger.info(
      {
        requestId: c.get("requestId"),
        method: c.req.method,
        route: routePath(c, -1),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "request",
    );
  };
