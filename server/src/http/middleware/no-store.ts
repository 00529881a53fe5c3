// noStore: `Cache-Control: no-store` on every answer of a private route — success and error
// alike — so no browser, proxy or CDN keeps a copy of a user's balance, jobs, consent, links or a
// staff page. Mounted once per private prefix in app.ts rather than in each route, so a route
// added under one of them can't forget it.
import type { MiddlewareHandler } from "hono";

/** Everything answered with the caller's data or a secret; `/files/*` is `private` (SPEC §4). */
export const PRIVATE_PATHS = ["/v1/*", "/support/*", "/exports/*", "/dev/*", "/metrics"] as const;

export const noStore = (): MiddlewareHandler =>
  async function noStore(c, next) {
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  };
