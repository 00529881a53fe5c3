// securityHeaders: the SPEC §9 header set on every response. HSTS is sent when the request came
// over HTTPS, directly or as reported by the proxy in front (X-Forwarded-Proto).
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

export const securityHeaders = (): MiddlewareHandler => {
  const headers = secureHeaders({
    strictTransportSecurity: false,
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    xContentTypeOptions: "nosniff",
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: "same-origin",
    permissionsPolicy: {
      camera: [],
      microphone: [],
      geolocation: [],
      payment: [],
      usb: [],
      browsingTopics: [],
    },
  });
  return async function securityHeaders(c, next) {
    await headers(c, next);
    // Pages (the support console) set their own nonce-based CSP; everything else is locked down.
    if (!c.res.headers.has("Content-Security-Policy")) {
      c.res.headers.set("Content-Security-Policy", API_CSP);
    }
    if (cameOverHttps(c.req.url, c.req.header("X-Forwarded-Proto"))) {
      c.res.headers.set("Strict-Transport-Security", HSTS_VALUE);
    }
  };
};

function cameOverHttps(url: string, forwardedProto: string | undefined): boolean {
  if (url.startsWith("https:")) return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}
