// The credits ledger (SPEC §6.3): every change of a balance is one append-only ledger entry
// written in the same transaction as the cached balance, which never goes below zero.
import { and, eq, gte, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { creditLedger, users } from "../db/schema";
import { ApiError } from "../http/api-error";

export type LedgerKind = (typeof creditLedger.$inferInsert)["kind"];

export interface LedgerEntry {
  userId: string;
  kind: LedgerKind;
  delta: number;
  jobId?: string | null;
  purchaseId?: string | null;
  stripeEventId?: string | null;
  supportUserId?: string | null;
  note?: string | null;
}

/**
 * Applies a ledger entry. A negative delta is refused (INSUFFICIENT_CREDITS) when the balance
 * can't cover it; the conditional UPDATE makes concurrent charges safe without locks. A user who
 * doesn't exist (never did, or was erased) is NOT_FOUND, whatever the delta.
 */
export async function applyLedgerEntry(tx: DbOrTx, entry: LedgerEntry): Promise<number> {
  const updated = await tx
    .update(users)
    .set({ creditBalance: sql`${users.creditBalance} + ${entry.delta}` })
    .where(
      and(eq(users.id, entry.userId), entry.delta < 0 ? gte(users.creditBalance, -entry.delta) : undefined),
    )
    .returning({ balance: users.creditBalance });
  const row = updated[0];
  if (!row) {
    // No row updated: either no user, or (only possible for a charge) a balance too small.
    const exists =
      entry.delta < 0 &&
      (await tx.select({ id: users.id }).from(users).where(eq(users.id, entry.userId))).length > 0;
    if (!exists) throw new ApiError("NOT_FOUND", "There is no such user.");
    throw insufficientCredits();
  }
  await tx.insert(creditLedger).values(entry);
  return row.balance;
}

/**
 * Refuses, before an upload is read, a user whose balance (as read at the request's start) can't
 * pay for it; the charge re-checks in its own transaction.
 */
export function requireCredits(balance: number, needed: number): void {
  if (balance < needed) throw insufficientCredits();
}

function insufficientCredits(): ApiError {
  return new ApiError("INSUFFICIENT_CREDITS", "You have no Headshot Studio credits left.");
}

/**
 * Takes back up to `wanted` credits (refunds, disputes): the balance goes to zero, not below, and
 * the part that could not be taken is returned as the shortfall.
 */
export async function revokeCredits(
  tx: DbOrTx,
  entry: Omit<LedgerEntry, "delta"> & { wanted: number },
): Promise<{ revoked: number; shortfall: number }> {
  const [user] = await tx
    .select({ balance: users.creditBalance })
    .from(users)
    .where(eq(users.id, entry.userId))
    .for("update");
  const balance = user?.balance ?? 0;
  const revoked = Math.min(balance, entry.wanted);
  const { wanted, ...rest } = entry;
  if (revoked > 0) await applyLedgerEntry(tx, { ...rest, delta: -revoked });
  return { revoked, shortfall: wanted - revoked };
}

/** The balance as the ledger sums it (the cached column must always agree). */
export async function ledgerBalance(db: DbOrTx, userId: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${creditLedger.delta}), 0)::int` })
    .from(creditLedger)
    .where(eq(creditLedger.userId, userId));
  return Number(row?.total ?? 0);
}
