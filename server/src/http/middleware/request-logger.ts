// requestLogger: one JSON line per request with the route pattern (never the raw path, which may
// hold a file token), status and duration, and the same duration in the latency histogram of
// GET /metrics. No headers, no bodies, no client IP.
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { HonoEnv } from "../env";

export const requestLogger = (): MiddlewareHandler<HonoEnv> => {
  const children = new Map<string, { observe(seconds: number): void }>();
  return async function requestLogger(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const { logger, metrics } = c.get("services");
    const labels = { method: c.req.method, route: routePath(c, -1), status: c.res.status };
    // One child per label set, found by a string key: prom-client would hash the labels each time.
    const key = `${labels.method} ${labels.route} ${labels.status}`;
    let child = children.get(key);
    if (!child) children.set(key, (child = metrics.requestSeconds.labels(labels)));
    child.observe(seconds);
    logger.info(
      { requestId: c.get("requestId"), ...labels, ms: Math.round(seconds * 10_000) / 10 },
      "request",
    );
  };
};
