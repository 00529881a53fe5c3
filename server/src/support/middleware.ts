// The console's middleware (SPEC §5.4, §10): a per-page CSP nonce, input the database can store,
// the staff session (pages without one redirect to the login page) and CSRF checks on every
// state-changing request.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { hasNul } from "@headshot/shared";
import { getCookie } from "hono/cookie";
import { ApiError } from "../http/api-error";
import { formField, type SupportEnv } from "./console-env";
import { csrfTokenValid, loadSession, SESSION_COOKIE } from "./sessions";

export const LOGIN_PATH = "/support/login";
export const LOGIN_CSRF_COOKIE = "hs_support_login_csrf";

/** No script runs in the console; the one inline stylesheet carries this nonce. */
export const cspFor = (nonce: string) =>
  `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; form-action 'self'; ` +
  "frame-ancestors 'none'; base-uri 'none'";

export const consolePage = (): MiddlewareHandler<SupportEnv> =>
  async function consolePage(c, next) {
    const nonce = randomBytes(16).toString("base64");
    c.set("cspNonce", nonce);
    await next();
    if (c.res.headers.get("Content-Type")?.startsWith("text/html")) {
      c.res.headers.set("Content-Security-Policy", cspFor(nonce));
    }
  };

/**
 * Every query parameter and form field of every console request, the sign-in form's included,
 * is refused with a 400 when it holds a NUL — before the session, the limiter or the database
 * see it. One check here instead of one per field: a field added later is covered too.
 */
export const plainInput = (): MiddlewareHandler<SupportEnv> =>
  async function plainInput(c, next) {
    const query = Object.values(c.req.queries()).flat();
    const form = c.req.method === "POST" ? Object.values(await parsedForm(c)).flat() : [];
    if ([...query, ...form].some((value) => typeof value === "string" && hasNul(value))) {
      throw new ApiError(
        "BAD_REQUEST",
        "The form holds a character we can't accept (NUL). Please retype it.",
      );
    }
    await next();
  };

/** The request's form (Hono caches it for `formField`); a body that is not a form is a 400. */
async function parsedForm(c: Context<SupportEnv>) {
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw new ApiError("BAD_REQUEST", "The form could not be read. Please reload the page and try again.");
  }
}

export const supportSession = (): MiddlewareHandler<SupportEnv> =>
  async function supportSession(c, next) {
    if (c.req.path === LOGIN_PATH) return next();
    const { db, clock } = c.get("services");
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = cookie ? await loadSession(db, cookie, clock.now()) : undefined;
    if (!session) {
      // Pages send people to the login form; the JSON API (/support/api/) answers 401.
      if (c.req.method === "GET" && !c.req.path.startsWith("/support/api/"))
        return c.redirect(LOGIN_PATH, 302);
      throw new ApiError("UNAUTHORIZED", "Your session has ended. Please sign in again.");
    }
    c.set("session", session);
    await next();
  };

/**
 * Every POST needs the form's CSRF token: the session's token once signed in, the login cookie's
 * (double submit) on the login form. A cross-site Origin is refused before the token is read.
 */
export const csrfProtection = (): MiddlewareHandler<SupportEnv> =>
  async function csrfProtection(c, next) {
    if (c.req.method !== "POST") return next();
    const origin = c.req.header("Origin");
    const allowed = [new URL(c.req.url).origin, new URL(c.get("services").config.publicBaseUrl).origin];
    if (
      (origin && origin !== "null" && !allowed.includes(origin)) ||
      c.req.header("Sec-Fetch-Site") === "cross-site"
    ) {
      throw new ApiError("FORBIDDEN", "This form was sent from another site.");
    }
    const submitted = await formField(c, "_csrf");
    const ok =
      c.req.path === LOGIN_PATH
        ? sameSecret(getCookie(c, LOGIN_CSRF_COOKIE), submitted)
        : submitted !== "" &&
          (await csrfTokenValid(c.get("services").db, c.get("session").idHash, submitted));
    if (!ok)
      throw new ApiError(
        "FORBIDDEN",
        "This form has expired. Please go back, reload the page and try again.",
      );
    await next();
  };

function sameSecret(expected: string | undefined, given: string): boolean {
  if (!expected || !given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
