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
  const overrides = options.overrides.map((o) => ({ ...o, limit: make(o.bytes) }));
  return async function bodyLimit(c, next) {
    const matches = (r: Route) => r.method === c.req.method && r.path === c.req.path;
    if (options.streamed.some(matches)) return next();
    return (overrides.find(matches)?.limit ?? fallback)(c, next);
  };
};

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
