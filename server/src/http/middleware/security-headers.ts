// securityHeaders: the SPEC §9 header set on every response. HSTS is sent when the request came
// over HTTPS, directly or as reported by the proxy in front (X-Forwarded-Proto).
//
// The same set Hono's secureHeaders gave us with our options, fixed once here: its middleware
// rebuilt its list on every request, and every request pays for this one.
import type { MiddlewareHandler } from "hono";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

const HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "DENY"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

export const securityHeaders = (): MiddlewareHandler =>
  async function securityHeaders(c, next) {
    await next();
    // Set after the route, over whatever it set, on success and error answers alike.
    const headers = c.res.headers;
    for (const [name, value] of HEADERS) headers.set(name, value);
    // Pages (the support console) set their own nonce-based CSP; everything else is locked down.
    if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", API_CSP);
    if (cameOverHttps(c.req.url, c.req.header("X-Forwarded-Proto"))) {
      headers.set("Strict-Transport-Security", HSTS_VALUE);
    }
  };

function cameOverHttps(url: string, forwardedProto: string | undefined): boolean {
  if (url.startsWith("https:")) return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}
