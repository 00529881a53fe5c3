// Selling packs through the API on a real database, against the loopback fake Stripe: packs,
// checkout (the exact Stripe request), the return pages, and Canva Premium mode (SPEC §8).
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purchases } from "../../src/db/schema";
import { createHarness, type Harness } from "../support/harness";
import { TEST_DRIVER } from "../support/database";
import { balanceOf, checkout, createBillingHarness, SECRET_KEY, type BillingHarness } from "./stripe-events";

const DEFAULT_PACKS = [
  { id: "starter", name: "Starter", credits: 10, priceCents: 900, currency: "usd" },
  { id: "pro", name: "Pro", credits: 30, priceCents: 1900, currency: "usd" },
  { id: "team", name: "Team", credits: 100, priceCents: 4900, currency: "usd" },
];

describe(`credits mode on ${TEST_DRIVER}`, () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await createBillingHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("lists the packs on sale, and /v1/me says payments are enabled", async () => {
    const user = await h.user();
    const res = await h.app.request("/v1/billing/packs", { headers: user.headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ packs: DEFAULT_PACKS });
    const me = (await (await h.app.request("/v1/me", { headers: user.headers })).json()) as {
      billing: unknown;
    };
    expect(me.billing).toEqual({ mode: "credits", paymentsEnabled: true, packs: DEFAULT_PACKS });
  });

  it("creates exactly the Checkout Session we expect and records a pending purchase", async () => {
    const user = await h.user();
    const res = await h.json("POST", "/v1/billing/checkout", { packId: "pro" }, user.headers);
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };

    const request = h.stripe.requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/checkout/sessions");
    expect(request.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    const [row] = await h.services.db
      .select()
      .from(purchases)
      .where(eq(purchases.id, (request.form.metadata as { purchaseId: string }).purchaseId));
    const metadata = { purchaseId: row!.id, userId: row!.userId, packId: "pro" };
    expect(request.form).toEqual({
      mode: "payment",
      line_items: {
        "0": {
          quantity: "1",
          price_data: {
            currency: "usd",
            unit_amount: "1900",
            product_data: { name: "Headshot Studio Pro: 30 credits" },
          },
        },
      },
      client_reference_id: row!.userId,
      metadata,
      payment_intent_data: { metadata },
      success_url: "https://headshots.example.com/billing/success",
      cancel_url: "https://headshots.example.com/billing/cancel",
    });
    expect(url).toBe(`https://checkout.stripe.com/c/pay/${row!.stripeCheckoutSessionId}`);
    expect(row).toMatchObject({
      status: "pending",
      packId: "pro",
      credits: 30,
      amountCents: 1900,
      currency: "usd",
      creditsGranted: 0,
    });
    expect(await balanceOf(h, user)).toBe(0);
  });

  it("refuses an unknown or missing pack with 400 and asks Stripe nothing", async () => {
    const user = await h.user();
    const before = h.stripe.requests.length;
    for (const body of [{ packId: "gold" }, {}]) {
      const res = await h.json("POST", "/v1/billing/checkout", body, user.headers);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    }
    expect(h.stripe.requests.length).toBe(before);
  });

  it("answers 503 with Retry-After when Stripe fails, leaving no purchase behind", async () => {
    const user = await h.user();
    const countBefore = (await h.services.db.select().from(purchases)).length;
    h.stripe.failNext(500);
    const res = await h.json("POST", "/v1/billing/checkout", { packId: "starter" }, user.headers);
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBeTruthy();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
    expect((await h.services.db.select().from(purchases)).length).toBe(countBefore);
  });

  it("needs a Canva user token", async () => {
    const res = await h.json("POST", "/v1/billing/checkout", { packId: "starter" });
    expect(res.status).toBe(401);
  });

  it("serves branded return pages under a strict CSP that grant nothing", async () => {
    const bought = await checkout(h);
    for (const path of ["/billing/success", "/billing/cancel"]) {
      const res = await h.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page).toContain("Headshot Studio");
      expect(page).toMatch(/Return to Canva/);
      expect(page).not.toMatch(/<script/i);

      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toContain("default-src 'none'");
      const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
      expect(csp).toContain(`style-src 'sha256-${createHash("sha256").update(css).digest("base64")}'`);
    }
    expect(await balanceOf(h, bought.user)).toBe(0);
    const [row] = await h.services.db.select().from(purchases).where(eq(purchases.id, bought.purchaseId));
    expect(row!.status).toBe("pending");
  });
});

describe(`credits mode without Stripe keys on ${TEST_DRIVER}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("still lists packs but says payments are off, and checkout answers 503", async () => {
    const user = await h.user();
    const me = (await (await h.app.request("/v1/me", { headers: user.headers })).json()) as {
      billing: { paymentsEnabled: boolean };
    };
    expect(me.billing.paymentsEnabled).toBe(false);
    const res = await h.json("POST", "/v1/billing/checkout", { packId: "starter" }, user.headers);
    expect(res.status).toBe(503);
  });
});

describe(`Canva Premium mode on ${TEST_DRIVER}`, () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await createBillingHarness({ BILLING_MODE: "canva_premium" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("has no packs and no checkout (404), asks Stripe nothing, and /v1/me says so", async () => {
    const user = await h.user({ billableActions: ["generate_image"] });
    expect((await h.app.request("/v1/billing/packs", { headers: user.headers })).status).toBe(404);
    const res = await h.json("POST", "/v1/billing/checkout", { packId: "starter" }, user.headers);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect(h.stripe.requests).toEqual([]);

    const me = (await (await h.app.request("/v1/me", { headers: user.headers })).json()) as {
      billing: unknown;
    };
    expect(me.billing).toEqual({ mode: "canva_premium", paymentsEnabled: false, packs: [] });
  });
});
