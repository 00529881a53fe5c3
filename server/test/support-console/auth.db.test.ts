// Console access (SPEC §5.4, §9): redirect without a session, cookie flags, hashed server-side
// sessions with idle and absolute expiry, generic login errors, CSRF on every form, the login
// throttle, the nonce CSP, and roles.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, creditLedger, supportSessions, supportUsers } from "../../src/db/schema";
import { sha256 } from "../../src/support/sessions";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { apiUser } from "../privacy/seed";
import { cookiesOf, loginAttempt, PASSWORD, signIn, staffAccount } from "./console-client";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const MINUTE = 60_000;

describe(`support console access on ${TEST_DRIVER}`, () => {
  it("redirects to the login page without a session, and refuses a sessionless POST", async () => {
    const page = await h.app.request("/support");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/support/login");
    expect((await h.app.request("/support/users?q=x")).status).toBe(302);
    const forged = await h.app.request("/support/new-request", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: "hs_support_session=made-up" },
      body: "type=erasure",
    });
    expect(forged.status).toBe(401);
  });

  it("signs in with an argon2id account and sets a HttpOnly, Secure, SameSite=Strict cookie", async () => {
    const email = await staffAccount(h);
    const [account] = await h.services.db.select().from(supportUsers).where(eq(supportUsers.email, email));
    expect(account!.passwordHash).toMatch(/^\$argon2id\$/);

    const res = await loginAttempt(h, email, PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/support");
    const header = res.headers.getSetCookie().find((c) => c.startsWith("hs_support_session="))!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Path=\/support/);

    // Only the SHA-256 of the id is stored.
    const id = cookiesOf(res)["hs_support_session"]!;
    const sessions = await h.services.db.select().from(supportSessions);
    expect(sessions.some((s) => s.idHash === id)).toBe(false);
    expect(sessions.some((s) => s.idHash === sha256(id))).toBe(true);

    const queue = await h.app.request("/support", { headers: { Cookie: `hs_support_session=${id}` } });
    expect(queue.status).toBe(200);
    expect(await queue.text()).toContain("Privacy requests");
  });

  it("serves pages with a nonce CSP, no script and no caching", async () => {
    const page = await h.app.request("/support/login");
    const csp = page.headers.get("Content-Security-Policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("script-src");
    const html = await page.text();
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toContain("<script");
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const again = await h.app.request("/support/login");
    expect(again.headers.get("Content-Security-Policy")).not.toBe(csp);
  });

  it("answers a wrong password and an unknown email with the same generic text", async () => {
    const email = await staffAccount(h);
    const wrong = await loginAttempt(h, email, "not the password at all");
    const unknown = await loginAttempt(h, `nobody-${Date.now()}@example.com`, PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const text = "That email and password don&#39;t match an account.";
    expect(await wrong.text()).toContain(text);
    expect(await unknown.text()).toContain(text);
  });

  it("refuses a POST without the CSRF token, with a wrong one, or from another site", async () => {
    const client = await signIn(h, await staffAccount(h));
    const fields = { type: "access", channel: "email", jurisdiction: "gdpr", receivedOn: "2026-01-01" };
    const bare = await h.app.request("/support/new-request", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: client.cookie },
      body: new URLSearchParams(fields).toString(),
    });
    expect(bare.status).toBe(403);
    // Error pages are console pages too: same nonce CSP, styled by the nonce'd stylesheet.
    const nonce = /'nonce-([^']+)'/.exec(bare.headers.get("Content-Security-Policy") ?? "")?.[1];
    expect(await bare.text()).toContain(`<style nonce="${nonce}">`);
    expect((await client.post("/support/new-request", { ...fields, _csrf: "forged" })).status).toBe(403);
    expect(
      (await client.post("/support/new-request", fields, { Origin: "https://evil.example" })).status,
    ).toBe(403);
    expect(
      (await client.post("/support/new-request", fields, { "Sec-Fetch-Site": "cross-site" })).status,
    ).toBe(403);
    expect((await client.post("/support/new-request", fields)).status).toBe(303);

    const noToken = await h.app.request("/support/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=a%40b.c&password=x",
    });
    expect(noToken.status).toBe(403);
  });

  describe("the lock-out a stranger can't trigger", () => {
    const STRANGER = "203.0.113.66";
    const ADMIN_DESK = "198.51.100.7";

    it("a stranger's wrong passwords from anywhere don't lock the admin out of their own IP", async () => {
      const email = await staffAccount(h);
      for (const ip of [STRANGER, "203.0.113.67", "203.0.113.68"]) {
        for (let i = 0; i < 5; i++) {
          expect([401, 429]).toContain((await loginAttempt(h, email, "wrong password!", ip)).status);
        }
      }
      expect((await loginAttempt(h, email, PASSWORD, ADMIN_DESK)).status).toBe(303);
    });

    it("after 3 failures the pair waits a minute, refused unchecked even with the right password", async () => {
      const email = await staffAccount(h);
      for (let i = 0; i < 3; i++) {
        expect((await loginAttempt(h, email, "wrong password!", "203.0.113.70")).status).toBe(401);
      }
      const refused = await loginAttempt(h, email, PASSWORD, "203.0.113.70");
      expect(refused.status).toBe(429);
      expect(refused.headers.get("Retry-After")).toBe("60");
      expect(await refused.text()).toContain("Too many wrong passwords for this account from your address");
      h.clock.advance(MINUTE);
      expect((await loginAttempt(h, email, PASSWORD, "203.0.113.70")).status).toBe(303);
    });

    it("each further failure from the pair doubles the wait; the right password clears it", async () => {
      const email = await staffAccount(h);
      for (let i = 0; i < 3; i++) await loginAttempt(h, email, "wrong password!", "203.0.113.71");
      h.clock.advance(MINUTE);
      expect((await loginAttempt(h, email, "wrong password!", "203.0.113.71")).status).toBe(401);
      const second = await loginAttempt(h, email, PASSWORD, "203.0.113.71");
      expect(second.status).toBe(429);
      expect(second.headers.get("Retry-After")).toBe("120");
      h.clock.advance(2 * MINUTE);
      expect((await loginAttempt(h, email, PASSWORD, "203.0.113.71")).status).toBe(303);
      // Cleared: five free failures again.
      for (let i = 0; i < 3; i++) {
        expect((await loginAttempt(h, email, "wrong password!", "203.0.113.71")).status).toBe(401);
      }
    });

    it("still spends the IP's 5 attempts a minute, whatever the account", async () => {
      for (let i = 0; i < 5; i++) {
        expect(
          (await loginAttempt(h, `nobody-${i}@example.com`, "wrong password!", "192.0.2.50")).status,
        ).toBe(401);
      }
      const sixth = await loginAttempt(h, "someone@example.com", "wrong password!", "192.0.2.50");
      expect(sixth.status).toBe(429);
      expect(await sixth.text()).toContain("Too many requests");
    });
  });

  it("ends a session after 30 idle minutes and after 12 hours however busy", async () => {
    const idle = await signIn(h, await staffAccount(h));
    h.clock.advance(29 * MINUTE);
    expect((await idle.get("/support")).status).toBe(200);
    h.clock.advance(30 * MINUTE);
    expect((await idle.get("/support")).status).toBe(302);

    const busy = await signIn(h, await staffAccount(h));
    for (let i = 0; i < 35; i++) {
      h.clock.advance(20 * MINUTE);
      expect((await busy.get("/support")).status).toBe(200);
    }
    h.clock.advance(20 * MINUTE); // 12 h since sign-in
    expect((await busy.get("/support")).status).toBe(302);
  });

  it("signs out by deleting the server-side session", async () => {
    const client = await signIn(h, await staffAccount(h));
    const out = await client.post("/support/logout");
    expect(out.status).toBe(303);
    expect(out.headers.get("Location")).toBe("/support/login");
    expect((await client.get("/support")).status).toBe(302);
  });

  it("lets admins, not support staff, adjust credits — with a reason, a ledger entry and an audit entry", async () => {
    const user = await apiUser(h);
    const support = await signIn(h, await staffAccount(h, "support"));
    expect(
      (await support.post(`/support/users/${user.id}/credits`, { delta: "5", reason: "goodwill" })).status,
    ).toBe(403);
    const page = await (await support.get(`/support/users/${user.id}`)).text();
    expect(page).not.toContain("Adjust credits");

    const admin = await signIn(h, await staffAccount(h, "admin"));
    expect((await admin.post(`/support/users/${user.id}/credits`, { delta: "5", reason: "" })).status).toBe(
      400,
    );
    const ok = await admin.post(`/support/users/${user.id}/credits`, { delta: "5", reason: "goodwill" });
    expect(ok.status).toBe(303);
    expect(await (await admin.get(`/support/users/${user.id}`)).text()).toMatch(/id="balance">8</);
    const [entry] = await h.services.db
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.kind, "support_adjustment"));
    expect(entry).toMatchObject({ userId: user.id, delta: 5, note: "goodwill" });
    const [audit] = await h.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "credits.adjusted"));
    expect(audit).toMatchObject({ subjectUserId: user.id, actorType: "support", details: { delta: 5 } });
    expect(
      (await admin.post(`/support/users/${user.id}/credits`, { delta: "-100", reason: "x" })).status,
    ).toBe(409);
  });
});
