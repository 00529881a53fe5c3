// CORS (SPEC §5.2): the Canva app origin (+ configured extras, + the local preview origin under
// development auth) for the API; `*` for /files, which Canva fetches server-side and as thumbnails.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

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

export const apiCors = (options: ApiCorsOptions): MiddlewareHandler => {
  const origins = allowedOrigins(options);
  return cors({
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
  cors({ origin: "*", allowMethods: ["GET", "HEAD"], maxAge: 86_400 });
