// CORS (SPEC §5.2): the Canva app origin (+ configured extras, + the local preview origin under
// development auth) for the API; `*` for /files, which Canva fetches server-side and as thumbnails.
//
// Hono's cors sets its headers on `c.res` before the route runs (and appends `Vary` through
// `c.header` after), which makes Hono build the route's response twice and @hono/node-server turn
// its body into a web stream — on every API answer (issue 20's profile). `lateCors` answers a
// preflight with Hono's cors unchanged and, for every other request, sets the same headers on the
// final response (the route's or onError's), with the same precedence over a route's own values.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { requestHeader } from "../request-header";

export interface ApiCorsOptions {
  appId: string;
  extraOrigins: string[];
  devPreviewOrigin?: string | undefined;
}

export function canvaAppOrigin(appId: string): string {
  return `https://app-${appId.toLowerCase()}.canva-apps.com`;
}

export function allowedOrigins(options: ApiCorsOptions): Set<string> {
  return new Set([
    canvaAppOrigin(options.appId),
    ...options.extraOrigins,
    ...(options.devPreviewOrigin ? [options.devPreviewOrigin] : []),
  ]);
}

interface CorsOptions {
  /** `*`, or the allowed origin for a request's Origin (null when it is not allowed). */
  origin: "*" | ((origin: string) => string | null);
  allowMethods: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge: number;
}

function lateCors(options: CorsOptions): MiddlewareHandler {
  const preflight = cors(options);
  const allowOrigin = options.origin === "*" ? () => "*" : options.origin;
  const expose = options.exposeHeaders?.length ? options.exposeHeaders.join(",") : undefined;
  const vary = options.origin !== "*";
  return async function corsHeaders(c, next) {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    await next();
    const headers = c.res.headers;
    const origin = allowOrigin(requestHeader(c, "origin") || "");
    if (origin) headers.set("Access-Control-Allow-Origin", origin);
    if (expose) headers.set("Access-Control-Expose-Headers", expose);
    if (vary) headers.append("Vary", "Origin");
  };
}

export const apiCors = (options: ApiCorsOptions): MiddlewareHandler => {
  const origins = allowedOrigins(options);
  return lateCors({
    origin: (origin) => (origins.has(origin) ? origin : null),
    allowMethods: ["GET", "POST", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Canva-Premium-Usage-Id"],
    exposeHeaders: [
      "X-Request-Id",
      "Retry-After",
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
    ],
    maxAge: 86_400,
  });
};

export const filesCors = (): MiddlewareHandler =>
  lateCors({ origin: "*", allowMethods: ["GET", "HEAD"], maxAge: 86_400 });
