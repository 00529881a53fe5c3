// Console sign-in and sign-out (SPEC §5.4): generic error text, a limit per IP and a progressive
// delay per (account, IP) pair, a fresh server-side session in an HttpOnly, Secure,
// SameSite=Strict cookie, CSRF on both forms.
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { HonoEnv } from "../http/env";
import { writeAudit } from "../privacy/audit";
import { clientIp, limitSupportLogin, rateLimitedError } from "../rate-limit";
import { authenticate } from "../support/accounts";
import { clearFailures, pairKey, recordFailure, requireNoWait } from "../support/login-throttle";
import { formField, type SupportApp, type SupportContext } from "../support/console-env";
import { LOGIN_CSRF_COOKIE, LOGIN_PATH } from "../support/middleware";
import { createSession, endSession, SESSION_ABSOLUTE_MS, SESSION_COOKIE } from "../support/sessions";
import { CsrfField, renderPage } from "../support/views/layout";

const COOKIE_BASE = { httpOnly: true, secure: true, sameSite: "Strict", path: "/support" } as const;

export function registerSupportLogin(support: SupportApp) {
  support.get("/login", (c) => loginPage(c));

  support.post("/login", async (c) => {
    const { db, clock, config } = c.get("services");
    const email = (await formField(c, "email")).slice(0, 320);
    const password = (await formField(c, "password")).slice(0, 1024);
    // Every attempt spends from the IP's bucket, and a pair that must wait is refused, both before
    // the hash. The limiter reads only `services`, which the console shares with the API.
    const apiContext = c as unknown as Context<HonoEnv>;
    const decision = await limitSupportLogin(apiContext);
    if (decision && !decision.allowed) throw rateLimitedError(decision);
    const now = clock.now();
    const pair = pairKey({ account: email, ip: clientIp(apiContext) }, config.fileUrlSecret);
    await requireNoWait(db, pair, now);
    const supportUserId = await authenticate(db, email, password);
    if (!supportUserId) {
      await recordFailure(db, pair, now);
      return loginPage(c, "That email and password don't match an account.", 401);
    }

    const { sessionId } = await db.transaction(async (tx) => {
      await clearFailures(tx, pair);
      const session = await createSession(tx, supportUserId, now);
      await writeAudit(tx, {
        actor: { type: "support", supportUserId },
        action: "support.signed_in",
        at: now,
      });
      return session;
    });
    setCookie(c, SESSION_COOKIE, sessionId, { ...COOKIE_BASE, maxAge: SESSION_ABSOLUTE_MS / 1000 });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { ...COOKIE_BASE, path: LOGIN_PATH });
    return c.redirect("/support", 303);
  });

  support.post("/logout", async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) await endSession(c.get("services").db, cookie);
    deleteCookie(c, SESSION_COOKIE, COOKIE_BASE);
    return c.redirect(LOGIN_PATH, 303);
  });
}

function loginPage(c: SupportContext, error?: string, status: 200 | 401 = 200) {
  // Double-submit token for the login form, which has no session yet to hold one.
  const token = randomBytes(24).toString("base64url");
  setCookie(c, LOGIN_CSRF_COOKIE, token, { ...COOKIE_BASE, path: LOGIN_PATH, maxAge: 3600 });
  return renderPage(
    c,
    { title: "Sign in", status, signedIn: false },
    <section>
      {error && <p class="error">{error}</p>}
      <form method="post" action={LOGIN_PATH}>
        <CsrfField token={token} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <div>
          <button type="submit">Sign in</button>
        </div>
      </form>
    </section>,
  );
}
