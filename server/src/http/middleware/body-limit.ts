// bodyLimit: small JSON bodies everywhere, larger ones where a route needs them. Routes that read
// their body as it streams, under limits of their own (the photo upload), are left alone: Hono's
// bodyLimit buffers a body sent without a Content-Length in full before the route could refuse it.
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { ApiError } from "../api-error";

interface Route {
  method: string;
  path: string;
}

export interface BodyLimitOptions {
  jsonBytes: number;
  /** Per route: larger limits (webhooks). */
  overrides: (Route & { bytes: number })[];
  /** Routes that limit their own body while streaming it. */
  streamed: Route[];
}

export const bodyLimit = (options: BodyLimitOptions): MiddlewareHandler => {
  const make = (maxSize: number) =>
    honoBodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `The request body is larger than ${formatBytes(maxSize)}.`);
      },
    });
  const fallback = make(options.jsonBytes);
  const byRoute = new Map<string, MiddlewareHandler | "streamed">([
    ...options.overrides.map((o): [string, MiddlewareHandler] => [routeKey(o.method, o.path), make(o.bytes)]),
    ...options.streamed.map((r): [string, "streamed"] => [routeKey(r.method, r.path), "streamed"]),
  ]);
  return async function bodyLimit(c, next) {
    const { method } = c.req;
    // A GET or HEAD has no body here (@hono/node-server gives them none), and asking Hono's limit
    // (`c.req.raw.body`) would build the full web Request of every read for nothing.
    if (method === "GET" || method === "HEAD") return next();
    const limit = byRoute.get(routeKey(method, c.req.path)) ?? fallback;
    return limit === "streamed" ? next() : limit(c, next);
  };
};

const routeKey = (method: string, path: string) => `${method} ${path}`;

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
