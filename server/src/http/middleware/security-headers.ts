// securityHeaders: the SPEC §9 header set on every response — CSP, X-Frame-Options, nosniff,
// Referrer-Policy, Permissions-Policy — and HSTS when the request came over HTTPS, directly or as
// reported by the proxy in front (X-Forwarded-Proto). Pages (HTML: the support console, billing
// and report pages) also get the headers that only a document reads (opener isolation, DNS
// prefetch, legacy XSS filter, IE download and Flash policy): a JSON answer or an image has no use
// for them, and every header costs each API answer its validation twice (issue 20's bench).
import type { MiddlewareHandler } from "hono";
import { requestHeader } from "../request-header";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

const EVERY_ANSWER: readonly (readonly [string, string])[] = [
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
];

const DOCUMENTS_ONLY: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

export const securityHeaders = (): MiddlewareHandler =>
  async function securityHeaders(c, next) {
    await next();
    // Set after the route, over whatever it set, on success and error answers alike.
    const headers = c.res.headers;
    for (const [name, value] of EVERY_ANSWER) headers.set(name, value);
    if (headers.get("Content-Type")?.startsWith("text/html")) {
      for (const [name, value] of DOCUMENTS_ONLY) headers.set(name, value);
    }
    // Pages (the support console) set their own nonce-based CSP; everything else is locked down.
    if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", API_CSP);
    if (cameOverHttps(c.req.url, requestHeader(c, "x-forwarded-proto"))) {
      headers.set("Strict-Transport-Security", HSTS_VALUE);
    }
  };

function cameOverHttps(url: string, forwardedProto: string | undefined): boolean {
  if (url.startsWith("https:")) return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}
