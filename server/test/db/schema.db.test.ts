// The database suite, run on PGlite and on real PostgreSQL: migrations, the ledger's rules, the
// user-per-(brand, user) invariant and the privacy properties of the schema itself.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf, type DatabaseHandle } from "../../src/db/client";
import { creditLedger, purchases, users } from "../../src/db/schema";
import { applyLedgerEntry, ledgerBalance, revokeCredits } from "../../src/domain/credits";
import { ensureUser } from "../../src/domain/users";
import { createTestDatabase, TEST_DRIVER } from "../support/database";

const OPTIONS = { freeCredits: 3, subjectSecret: "test-secret-test-secret-test-secret" };
let handle: DatabaseHandle;
let n = 0;
const subject = () => ({ brandId: `brand-${++n}`, userId: `user-${n}` });

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

describe(`database on ${TEST_DRIVER}`, () => {
  it("has every migration applied and reports ready", async () => {
    expect(await handle.ready()).toBe(true);
    await handle.migrate(); // idempotent
    expect(await handle.ready()).toBe(true);
  });

  it("creates a user once per (brand, user) with the free credits, even when asked concurrently", async () => {
    const who = subject();
    const results = await Promise.all(Array.from({ length: 8 }, () => ensureUser(handle.db, who, OPTIONS)));
    expect(new Set(results.map((u) => u.id)).size).toBe(1);
    const id = results[0]!.id;
    expect(await ledgerBalance(handle.db, id)).toBe(3);
    const [row] = await handle.db.select().from(users).where(eq(users.id, id));
    expect(row!.creditBalance).toBe(3);
  });

  it("keys users by both brand and user id", async () => {
    const a = await ensureUser(handle.db, { brandId: "brand-x", userId: "same-user" }, OPTIONS);
    const b = await ensureUser(handle.db, { brandId: "brand-y", userId: "same-user" }, OPTIONS);
    expect(a.id).not.toBe(b.id);
  });

  it("never grants free credits twice to the same pair, even after the user row is erased", async () => {
    const who = subject();
    const first = await ensureUser(handle.db, who, OPTIONS);
    await handle.db.delete(users).where(eq(users.id, first.id));
    const again = await ensureUser(handle.db, who, OPTIONS);
    expect(again.id).not.toBe(first.id);
    expect(again.creditBalance).toBe(0);
    expect(await ledgerBalance(handle.db, again.id)).toBe(0);
  });

  it("refuses a charge the balance can't cover, and concurrent charges never overdraw", async () => {
    const user = await ensureUser(handle.db, subject(), OPTIONS);
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        handle.db.transaction((tx) =>
          applyLedgerEntry(tx, { userId: user.id, kind: "generation", delta: -1 }),
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(3);
    const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
    expect(rejected.every((r) => (r.reason as { code?: string }).code === "INSUFFICIENT_CREDITS")).toBe(true);
    expect(await ledgerBalance(handle.db, user.id)).toBe(0);
  });

  it("takes a revocation to zero, not below, and reports the shortfall", async () => {
    const user = await ensureUser(handle.db, subject(), OPTIONS);
    const result = await handle.db.transaction((tx) =>
      revokeCredits(tx, { userId: user.id, kind: "purchase_refund", wanted: 5 }),
    );
    expect(result).toEqual({ revoked: 3, shortfall: 2 });
    expect(await ledgerBalance(handle.db, user.id)).toBe(0);
  });

  it("keeps the ledger append-only: amounts can't be rewritten", async () => {
    const user = await ensureUser(handle.db, subject(), OPTIONS);
    await expect(
      handle.db.update(creditLedger).set({ delta: 100 }).where(eq(creditLedger.userId, user.id)),
    ).rejects.toThrow();
    expect(await ledgerBalance(handle.db, user.id)).toBe(3);
  });

  it("refuses a negative cached balance at the database level", async () => {
    const user = await ensureUser(handle.db, subject(), OPTIONS);
    await expect(
      handle.db.update(users).set({ creditBalance: -1 }).where(eq(users.id, user.id)),
    ).rejects.toThrow();
  });

  it("keeps purchases after the user is deleted, with the user link set to NULL", async () => {
    const user = await ensureUser(handle.db, subject(), OPTIONS);
    const [purchase] = await handle.db
      .insert(purchases)
      .values({ userId: user.id, packId: "starter", credits: 10, amountCents: 900, currency: "usd" })
      .returning();
    await handle.db.delete(users).where(eq(users.id, user.id));
    const [kept] = await handle.db.select().from(purchases).where(eq(purchases.id, purchase!.id));
    expect(kept).toMatchObject({ userId: null, amountCents: 900, credits: 10 });
  });

  it("has no column that could hold a photo, an embedding or a biometric template", async () => {
    const columns = rowsOf<{ table_name: string; column_name: string; data_type: string }>(
      await handle.db.execute(sql`
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public'`),
    );
    expect(columns.length).toBeGreaterThan(50);
    const suspicious = columns.filter(
      (c) =>
        c.data_type === "bytea" ||
        (c.data_type !== "boolean" &&
          /photo|image_data|embedding|descriptor|template|biometric|face_vector/i.test(c.column_name)),
    );
    expect(suspicious).toEqual([]);
  });

  it("keeps funnel counts anonymous: no user column", async () => {
    const columns = rowsOf<{ column_name: string }>(
      await handle.db.execute(sql`
        select column_name from information_schema.columns
        where table_schema = 'public' and table_name = 'funnel_counts'`),
    ).map((c) => c.column_name);
    expect(columns.sort()).toEqual(["count", "day", "event"]);
  });
});
