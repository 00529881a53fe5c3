// bodyLimit: small JSON bodies everywhere; the photo upload route enforces its own limit while
// streaming (the multipart parser), so here it only gets a ceiling above MAX_UPLOAD_MB.
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { ApiError } from "../api-error";

export interface BodyLimitOptions {
  jsonBytes: number;
  /** Per path prefix: larger limits (uploads, webhooks). */
  overrides: { method: string; path: string; bytes: number }[];
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
    const override = overrides.find((o) => o.method === c.req.method && c.req.path === o.path);
    return (override?.limit ?? fallback)(c, next);
  };
};

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
