// The console in a real browser (Chromium via playwright-core): sign in, record an erasure
// request, verify the requester by the in-app reference, erase, and see the request completed —
// all without JavaScript on the page. Skips when Chromium is absent, unless REQUIRE_E2E=1.
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { eq } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privacyRequests, users } from "../../src/db/schema";
import { createRequest } from "../../src/support/requests";
import { createHarness, type Harness } from "../support/harness";
import { apiUser, seedJob } from "../privacy/seed";
import { PASSWORD, staffAccount } from "./console-client";
import { chromiumAvailable, launchChromium } from "../../../test-support/chromium";

const available = chromiumAvailable();
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));

let h: Harness;
let server: ServerType;
let browser: Browser;
let base: string;

describe.runIf(available)("support console in Chromium", () => {
  beforeAll(async () => {
    h = await createHarness();
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    // localhost is a secure context, so the browser keeps the Secure cookie over plain HTTP.
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  it("signs in, records an erasure request, verifies the requester and erases the account", async () => {
    const email = await staffAccount(h, "admin");
    const user = await apiUser(h);
    await seedJob(h, user.id);
    const page = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
    const cspViolations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    await page.goto(`${base}/support`);
    expect(new URL(page.url()).pathname).toBe("/support/login");
    await page.fill("#email", email);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/support`), page.click("button[type=submit]")]);
    await expect.poll(() => page.textContent("h1")).toBe("Privacy requests");

    await page.click("text=Record a new request");
    await page.selectOption("#type", "erasure");
    await page.selectOption("#jurisdiction", "gdpr");
    await page.fill("#contact", "requester@example.com");
    await Promise.all([
      page.waitForURL(/\/support\/requests\/[0-9a-f-]{36}/),
      page.click("text=Record request"),
    ]);
    const requestId = /requests\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(await page.textContent("#status")).toBe("received");

    await page.fill("#value", user.id);
    await Promise.all([page.waitForURL(/done=verified/), page.click("button:has-text('Verify')")]);
    expect(await page.textContent("#status")).toBe("verified");

    await page.check("input[name=confirm]");
    await Promise.all([page.waitForURL(/done=erased/), page.click("button:has-text('Erase now')")]);
    expect(await page.textContent("#status")).toBe("completed");
    expect(await page.textContent(".notice")).toContain("erased");

    const [request] = await h.services.db
      .select()
      .from(privacyRequests)
      .where(eq(privacyRequests.id, requestId));
    expect(request).toMatchObject({ status: "completed", userId: null });
    expect(await h.services.db.select().from(users).where(eq(users.id, user.id))).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}support-console-request.png`, fullPage: true });
    // A queue with something in it: one overdue CCPA objection and one fresh access request.
    const now = h.clock.now();
    const received = (days: number) => new Date(now.getTime() - days * 86_400_000);
    for (const [type, jurisdiction, days] of [
      ["objection", "ccpa", 50],
      ["access", "gdpr", 3],
    ] as const) {
      await createRequest(
        h.services.db,
        { type, channel: "email", jurisdiction, receivedAt: received(days) },
        { type: "cli" },
        now,
      );
    }
    await page.goto(`${base}/support`);
    expect(await page.locator("tr.overdue").count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}support-console-queue.png`, fullPage: true });
    expect(cspViolations).toEqual([]);
  }, 120_000);
});
