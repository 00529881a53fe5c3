// POST /webhooks/stripe on a real database (PGlite and PostgreSQL): signatures, idempotency under
// concurrent duplicates, every handled event type, shortfalls, and events in any order.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditLedger, processedWebhookEvents, stripePaymentFacts, users } from "../../src/db/schema";
import { applyLedgerEntry, ledgerBalance } from "../../src/domain/credits";
import { ApiError } from "../../src/http/api-error";
import { TEST_DRIVER } from "../support/database";
import {
  balanceOf,
  checkout,
  createBillingHarness,
  deliver,
  disputeEvent,
  purchaseRow,
  refundEvent,
  sessionEvent,
  stripeEvent,
  type BillingHarness,
  type Bought,
} from "./stripe-events";

let h: BillingHarness;

beforeAll(async () => {
  h = await createBillingHarness();
});
afterAll(async () => {
  await h?.close();
});

async function ok(event: unknown) {
  const res = await deliver(h, event);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ received: true });
}

async function ledgerOf(b: Bought) {
  return h.services.db
    .select()
    .from(creditLedger)
    .where(eq(creditLedger.purchaseId, b.purchaseId))
    .orderBy(creditLedger.id);
}

/** Spends credits the way generation does, so refunds meet a balance that was used. */
async function spend(b: Bought, credits: number) {
  await h.services.db.transaction((tx) =>
    applyLedgerEntry(tx, { userId: b.userId, kind: "generation", delta: -credits }),
  );
}

describe(`POST /webhooks/stripe on ${TEST_DRIVER}`, () => {
  it("grants the pack's credits on a paid checkout.session.completed, as a ledger entry naming the event", async () => {
    const b = await checkout(h);
    const event = sessionEvent("checkout.session.completed", b);
    await ok(event);

    expect(await balanceOf(h, b.user)).toBe(10);
    const entries = await ledgerOf(b);
    expect(entries).toMatchObject([
      { kind: "purchase", delta: 10, stripeEventId: event.id, userId: b.userId },
    ]);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
      status: "paid",
      stripePaymentIntentId: b.paymentIntentId,
      customerEmail: "buyer@example.com",
      creditsGranted: 10,
    });
    expect(await ledgerBalance(h.services.db, b.userId)).toBe(10);
  });

  it("counts credits sold and each event's outcome for GET /metrics", async () => {
    const { registry } = h.services.metrics;
    const value = async (name: string, labels: Record<string, string> = {}) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      const match = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
      return match?.value ?? 0;
    };
    const applied = { type: "checkout.session.completed", outcome: "applied" };
    const duplicate = { ...applied, outcome: "duplicate" };
    const [sold, appliedBefore, duplicateBefore] = await Promise.all([
      value("headshot_credits_sold_total"),
      value("headshot_stripe_webhook_events_total", applied),
      value("headshot_stripe_webhook_events_total", duplicate),
    ]);
    const b = await checkout(h);
    const event = sessionEvent("checkout.session.completed", b);
    await ok(event);
    await ok(event);

    expect(await value("headshot_credits_sold_total")).toBe(sold + 10);
    expect(await value("headshot_stripe_webhook_events_total", applied)).toBe(appliedBefore + 1);
    expect(await value("headshot_stripe_webhook_events_total", duplicate)).toBe(duplicateBefore + 1);
  });

  it("applies the same event delivered 10 times at once exactly once", async () => {
    const b = await checkout(h);
    const event = sessionEvent("checkout.session.completed", b);
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(h, event)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));

    expect(await balanceOf(h, b.user)).toBe(10);
    expect(await ledgerOf(b)).toHaveLength(1);
    const recorded = await h.services.db
      .select()
      .from(processedWebhookEvents)
      .where(eq(processedWebhookEvents.id, event.id));
    expect(recorded).toMatchObject([{ source: "stripe", type: "checkout.session.completed" }]);
    const outcomes = h
      .logs()
      .split("\n")
      .filter((line) => line.includes(event.id))
      .map((line) => (JSON.parse(line) as { outcome: string }).outcome);
    expect(outcomes.sort()).toEqual(["applied", ...Array(9).fill("duplicate")]);
  });

  it("refuses a bad signature, a missing one and one from a wrong secret with 400 and changes nothing", async () => {
    const b = await checkout(h);
    const event = sessionEvent("checkout.session.completed", b);
    for (const res of [
      await deliver(h, event, { signature: "t=1,v1=deadbeef" }),
      await deliver(h, event, { secret: "whsec_someone_else" }),
      await h.app.request("/webhooks/stripe", { method: "POST", body: JSON.stringify(event) }),
    ]) {
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error).toMatchObject({ code: "BAD_REQUEST", requestId: res.headers.get("X-Request-Id") });
    }
    expect(await balanceOf(h, b.user)).toBe(0);
  });

  it("refuses a correctly signed event whose timestamp is 6 minutes old, accepts one 4 minutes old", async () => {
    const b = await checkout(h);
    const event = sessionEvent("checkout.session.completed", b);
    const now = Math.floor(Date.now() / 1000);
    expect((await deliver(h, event, { timestamp: now - 6 * 60 })).status).toBe(400);
    expect(await balanceOf(h, b.user)).toBe(0);
    expect((await deliver(h, event, { timestamp: now - 4 * 60 })).status).toBe(200);
    expect(await balanceOf(h, b.user)).toBe(10);
  });

  it("acknowledges unknown event types and sessions this app did not create without effect", async () => {
    await ok(stripeEvent("customer.created", { id: "cus_1", object: "customer" }));
    const stranger = await checkout(h);
    const foreign = sessionEvent("checkout.session.completed", stranger);
    foreign.data.object = {
      ...foreign.data.object,
      id: "cs_not_ours",
      metadata: { purchaseId: "not-a-uuid" },
    };
    await ok(foreign);
    expect(await balanceOf(h, stranger.user)).toBe(0);
  });

  it("grants a delayed payment only when it succeeds, and marks a failed one", async () => {
    const later = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", later, "unpaid"));
    expect(await balanceOf(h, later.user)).toBe(0);
    expect((await purchaseRow(h, later.purchaseId)).status).toBe("pending");
    await ok(sessionEvent("checkout.session.async_payment_succeeded", later));
    expect(await balanceOf(h, later.user)).toBe(10);
    expect((await purchaseRow(h, later.purchaseId)).status).toBe("paid");

    const failed = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", failed, "unpaid"));
    await ok(sessionEvent("checkout.session.async_payment_failed", failed));
    expect(await balanceOf(h, failed.user)).toBe(0);
    expect((await purchaseRow(h, failed.purchaseId)).status).toBe("failed");
  });

  it("revokes a partial then a full refund by the delta of amount_refunded", async () => {
    const b = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", b));
    const partial = refundEvent(b, 450);
    await ok(partial);
    expect(await balanceOf(h, b.user)).toBe(5);
    expect((await purchaseRow(h, b.purchaseId)).status).toBe("partially_refunded");

    await ok(partial); // a retry of the same delivery
    const full = refundEvent(b, 900);
    await ok(full);
    expect(await balanceOf(h, b.user)).toBe(0);

    const entries = await ledgerOf(b);
    expect(entries.map((e) => [e.kind, e.delta, e.stripeEventId])).toEqual([
      ["purchase", 10, expect.any(String)],
      ["purchase_refund", -5, partial.id],
      ["purchase_refund", -5, full.id],
    ]);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
      status: "refunded",
      amountRefundedCents: 900,
      creditsRevoked: 10,
      creditsShortfall: 0,
    });
  });

  it("takes the balance to zero, never below, and records the shortfall on the purchase", async () => {
    const b = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", b));
    await spend(b, 7);
    await ok(refundEvent(b, 900));

    expect(await balanceOf(h, b.user)).toBe(0);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ creditsRevoked: 3, creditsShortfall: 7 });
  });

  it("revokes what is left on a dispute, flags the purchase, and restores it when the dispute is won", async () => {
    const b = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", b));
    await ok(refundEvent(b, 180)); // 2 of 10 credits refunded first
    await ok(disputeEvent("charge.dispute.created", b, "needs_response"));
    expect(await balanceOf(h, b.user)).toBe(0);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ disputed: true, disputeStatus: "open" });

    await ok(disputeEvent("charge.dispute.closed", b, "won"));
    expect(await balanceOf(h, b.user)).toBe(8);
    expect((await ledgerOf(b)).map((e) => [e.kind, e.delta])).toEqual([
      ["purchase", 10],
      ["purchase_refund", -2],
      ["dispute", -8],
      ["dispute_reversal", 8],
    ]);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ disputed: true, disputeStatus: "won" });
  });

  it("keeps the credits revoked when a dispute is lost", async () => {
    const b = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", b));
    await ok(disputeEvent("charge.dispute.created", b, "needs_response"));
    await ok(disputeEvent("charge.dispute.closed", b, "lost"));
    expect(await balanceOf(h, b.user)).toBe(0);
    expect((await purchaseRow(h, b.purchaseId)).disputeStatus).toBe("lost");
  });

  it("restores only what a won dispute actually took back, when credits were spent meanwhile", async () => {
    const b = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", b));
    await spend(b, 3);
    await ok(disputeEvent("charge.dispute.created", b, "needs_response"));
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ creditsRevoked: 7, creditsShortfall: 3 });
    await ok(disputeEvent("charge.dispute.closed", b, "won"));
    expect(await balanceOf(h, b.user)).toBe(7);
    expect((await purchaseRow(h, b.purchaseId)).creditsShortfall).toBe(0);
  });

  describe("events out of order", () => {
    it("a refund before the checkout completes waits, then the purchase grants only what was not refunded", async () => {
      const b = await checkout(h);
      await ok(refundEvent(b, 450));
      expect(await balanceOf(h, b.user)).toBe(0);
      const parked = await h.services.db
        .select()
        .from(stripePaymentFacts)
        .where(eq(stripePaymentFacts.paymentIntentId, b.paymentIntentId));
      expect(parked).toMatchObject([{ amountRefundedCents: 450 }]);

      await ok(sessionEvent("checkout.session.completed", b));
      expect(await balanceOf(h, b.user)).toBe(5);
      expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
        status: "partially_refunded",
        amountRefundedCents: 450,
      });
      const left = await h.services.db
        .select()
        .from(stripePaymentFacts)
        .where(eq(stripePaymentFacts.paymentIntentId, b.paymentIntentId));
      expect(left).toEqual([]);
    });

    it("a full refund seen before a partial one is never undone by the late partial", async () => {
      const b = await checkout(h);
      await ok(sessionEvent("checkout.session.completed", b));
      await ok(refundEvent(b, 900));
      await ok(refundEvent(b, 450));
      expect(await balanceOf(h, b.user)).toBe(0);
      expect((await purchaseRow(h, b.purchaseId)).amountRefundedCents).toBe(900);
    });

    it("a dispute closed (won) before it is created stays closed and the credits stay", async () => {
      const b = await checkout(h);
      await ok(disputeEvent("charge.dispute.closed", b, "won"));
      await ok(sessionEvent("checkout.session.completed", b));
      await ok(disputeEvent("charge.dispute.created", b, "needs_response"));
      expect(await balanceOf(h, b.user)).toBe(10);
      expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ disputed: true, disputeStatus: "won" });
    });

    it("async success before the unpaid completion still ends paid, granted once", async () => {
      const b = await checkout(h);
      await ok(sessionEvent("checkout.session.async_payment_succeeded", b));
      await ok(sessionEvent("checkout.session.completed", b, "unpaid"));
      expect(await balanceOf(h, b.user)).toBe(10);
      expect((await purchaseRow(h, b.purchaseId)).status).toBe("paid");
    });

    it("every order of completion, partial refund, dispute and lost closure ends with no credits", async () => {
      const orders = [
        ["completed", "refund", "created", "lost"],
        ["lost", "refund", "completed", "created"],
        ["refund", "created", "lost", "completed"],
        ["created", "completed", "lost", "refund"],
      ];
      for (const order of orders) {
        const b = await checkout(h);
        const events = {
          completed: sessionEvent("checkout.session.completed", b),
          refund: refundEvent(b, 300),
          created: disputeEvent("charge.dispute.created", b, "needs_response"),
          lost: disputeEvent("charge.dispute.closed", b, "lost"),
        } as const;
        for (const name of order) await ok(events[name as keyof typeof events]);
        expect(await balanceOf(h, b.user), order.join(" → ")).toBe(0);
        expect((await purchaseRow(h, b.purchaseId)).disputeStatus).toBe("lost");
      }
    });

    it("a completion and a refund racing each other still end in the right balance", async () => {
      for (let i = 0; i < 5; i++) {
        const b = await checkout(h);
        const results = await Promise.all([
          deliver(h, sessionEvent("checkout.session.completed", b)),
          deliver(h, refundEvent(b, 450)),
        ]);
        expect(results.map((r) => r.status)).toEqual([200, 200]);
        expect(await balanceOf(h, b.user)).toBe(5);
      }
    });
  });

  it("keeps a purchase with its amounts when the buyer is deleted, and later events still update it", async () => {
    const b = await checkout(h);
    await ok(sessionEvent("checkout.session.completed", b));
    await h.services.db.delete(users).where(eq(users.id, b.userId));

    const kept = await purchaseRow(h, b.purchaseId);
    expect(kept).toMatchObject({
      userId: null,
      amountCents: 900,
      currency: "usd",
      credits: 10,
      status: "paid",
    });
    await ok(refundEvent(b, 900));
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
      userId: null,
      status: "refunded",
      amountRefundedCents: 900,
    });
    const orphanEntries = await h.services.db
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.purchaseId, b.purchaseId));
    expect(orphanEntries).toEqual([]);
  });
});

describe(`credits for a buyer who no longer exists, on ${TEST_DRIVER}`, () => {
  it("applyLedgerEntry says NOT_FOUND for a missing user, INSUFFICIENT_CREDITS only for a short balance", async () => {
    const credit = (userId: string, delta: number) =>
      h.services.db.transaction((tx) => applyLedgerEntry(tx, { userId, kind: "support_adjustment", delta }));
    const nobody = crypto.randomUUID();
    for (const delta of [10, -1]) {
      const err = await credit(nobody, delta).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ code: "NOT_FOUND" });
    }
    const b = await checkout(h);
    await expect(credit(b.userId, -1000)).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS" });
  });

  /** The refunds the fake Stripe was asked for, for this purchase. */
  const refundsOf = (b: Bought) =>
    h.stripe.requests.filter(
      (r) =>
        r.path === "/v1/refunds" && (r.form.metadata as Record<string, string>).purchaseId === b.purchaseId,
    );

  it("records a paid checkout for an erased buyer as paid, grants nothing, keeps no email, refunds the payment", async () => {
    const b = await checkout(h);
    await h.services.db.delete(users).where(eq(users.id, b.userId));

    await ok(sessionEvent("checkout.session.completed", b));
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
      userId: null,
      status: "paid",
      creditsGranted: 0,
      customerEmail: null,
      stripeCustomerId: null,
    });
    expect(await ledgerOf(b)).toEqual([]);
    const [refund, ...more] = refundsOf(b);
    expect(more).toEqual([]);
    expect(refund?.form).toMatchObject({
      payment_intent: b.paymentIntentId,
      metadata: { cause: "buyer_erased" },
    });
    expect(h.logs()).toContain('"outcome":"refunded_erased_buyer"');

    // Stripe's refund event then settles the purchase as refunded; no second refund is asked for.
    await ok(refundEvent(b, 900));
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
      status: "refunded",
      amountRefundedCents: 900,
    });
    expect(refundsOf(b)).toHaveLength(1);
  });

  it("when Stripe refuses the refund, answers 503 and keeps the event for Stripe's retry", async () => {
    const b = await checkout(h);
    await h.services.db.delete(users).where(eq(users.id, b.userId));
    const event = sessionEvent("checkout.session.completed", b);

    h.stripe.failNext(500);
    expect((await deliver(h, event)).status).toBe(503);
    const recorded = await h.services.db
      .select()
      .from(processedWebhookEvents)
      .where(eq(processedWebhookEvents.id, event.id));
    expect(recorded).toEqual([]);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({
      status: "pending",
      stripePaymentIntentId: null,
    });

    await ok(event);
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ status: "paid" });
    expect(refundsOf(b)).toHaveLength(2); // the refused attempt and the one that went through
  });

  it("a refund Stripe refuses for good commits the event and asks a person to refund by hand", async () => {
    const b = await checkout(h);
    await h.services.db.delete(users).where(eq(users.id, b.userId));
    const event = sessionEvent("checkout.session.completed", b);
    h.stripe.failNext(400, "charge_disputed");
    await ok(event);

    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ status: "paid", creditsGranted: 0 });
    const recorded = await h.services.db
      .select()
      .from(processedWebhookEvents)
      .where(eq(processedWebhookEvents.id, event.id));
    expect(recorded).toHaveLength(1);
    const line = h
      .logs()
      .split("\n")
      .find((l) => l.includes(event.id));
    expect(JSON.parse(line!)).toMatchObject({
      level: 50,
      outcome: "refund_failed",
      purchaseId: b.purchaseId,
      reason: "charge_disputed",
    });
  });

  it("a payment refunded already (by hand) counts as given back", async () => {
    const b = await checkout(h);
    await h.services.db.delete(users).where(eq(users.id, b.userId));
    h.stripe.failNext(400, "charge_already_refunded");
    await ok(sessionEvent("checkout.session.completed", b));
    expect(await purchaseRow(h, b.purchaseId)).toMatchObject({ status: "paid" });
  });
});

describe("POST /webhooks/stripe without Stripe configured", () => {
  it("answers 503 so Stripe retries once the keys are set", async () => {
    const bare = await createBillingHarness({ STRIPE_WEBHOOK_SECRET: "" });
    try {
      const res = await bare.app.request("/webhooks/stripe", { method: "POST", body: "{}" });
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBeTruthy();
    } finally {
      await bare.close();
    }
  });
});
