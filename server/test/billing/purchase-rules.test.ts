// The purchase rules on their own: facts merge the same in every order, and entitlement follows
// payment, refunds and disputes (SPEC §8.1).
import { describe, expect, it } from "vitest";
import {
  disputeState,
  entitledCredits,
  mergeFacts,
  NO_FACTS,
  nextPaymentState,
  purchaseStatus,
  type PaymentFacts,
} from "../../src/billing/purchase-rules";

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const pack = { credits: 10, amountCents: 900 };

describe("mergeFacts", () => {
  it("reaches the same facts whatever order the events arrive in", () => {
    const events: Partial<PaymentFacts>[] = [
      { chargeId: "ch_1", amountRefundedCents: 300 },
      { chargeId: "ch_1", amountRefundedCents: 600 },
      { chargeId: "ch_1", disputeStatus: "open" },
      { chargeId: "ch_1", disputeStatus: "won" },
    ];
    const results = permutations(events).map((order) => order.reduce(mergeFacts, NO_FACTS));
    for (const result of results) {
      expect(result).toEqual({ chargeId: "ch_1", amountRefundedCents: 600, disputeStatus: "won" });
    }
  });
});

describe("entitledCredits", () => {
  it("is the pack once paid, nothing before", () => {
    expect(entitledCredits({ ...pack, payment: "paid", facts: NO_FACTS })).toBe(10);
    expect(entitledCredits({ ...pack, payment: "pending", facts: NO_FACTS })).toBe(0);
    expect(entitledCredits({ ...pack, payment: "failed", facts: NO_FACTS })).toBe(0);
  });

  it("takes back the refunded share, rounded in the buyer's favour, all of it on a full refund", () => {
    const refunded = (cents: number) =>
      entitledCredits({ ...pack, payment: "paid", facts: { ...NO_FACTS, amountRefundedCents: cents } });
    expect(refunded(450)).toBe(5);
    expect(refunded(100)).toBe(9); // 1.1 credits refunded → 1 taken
    expect(refunded(900)).toBe(0);
    expect(refunded(5000)).toBe(0);
  });

  it("is nothing while a dispute is open or lost, and the pack again when it is won", () => {
    const disputed = (disputeStatus: PaymentFacts["disputeStatus"]) =>
      entitledCredits({ ...pack, payment: "paid", facts: { ...NO_FACTS, disputeStatus } });
    expect(disputed("open")).toBe(0);
    expect(disputed("lost")).toBe(0);
    expect(disputed("won")).toBe(10);
  });
});

describe("payment state and status", () => {
  it("lets money received win over any other outcome, and keeps the first final one otherwise", () => {
    expect(nextPaymentState("pending", "unpaid")).toBe("pending");
    expect(nextPaymentState("failed", "paid")).toBe("paid");
    expect(nextPaymentState("paid", "failed")).toBe("paid");
    expect(nextPaymentState("paid", "unpaid")).toBe("paid");
    expect(nextPaymentState("failed", "expired")).toBe("failed");
  });

  it("names refunds in the status of a paid purchase", () => {
    expect(purchaseStatus("paid", 900, 0)).toBe("paid");
    expect(purchaseStatus("paid", 900, 1)).toBe("partially_refunded");
    expect(purchaseStatus("paid", 900, 900)).toBe("refunded");
    expect(purchaseStatus("pending", 900, 900)).toBe("pending");
  });

  it("reads a closed dispute as won only when Stripe says so", () => {
    expect(disputeState("needs_response", false)).toBe("open");
    expect(disputeState("won", true)).toBe("won");
    expect(disputeState("warning_closed", true)).toBe("won");
    expect(disputeState("lost", true)).toBe("lost");
  });
});
