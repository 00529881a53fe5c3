// Erasure (SPEC §9 "right to be forgotten"): one transaction removes every row tied to the user
// and records a pseudonymous audit entry with a receipt id; the user's files go after the commit.
//
// Why files after the commit: deleting them first would leave a user whose outputs point at
// nothing if the transaction then failed. After the commit, nothing refers to the files any more;
// if the process dies before they are gone, the `orphan-files` retention job deletes every file
// under outputs/ whose user, job and output rows no longer exist. Purchases, privacy requests and
// audit entries are kept with the user link set to NULL by their foreign keys (SPEC §8.1);
// purchases lose their email and Stripe customer id too, audit entries their free-text reasons
// ("kept, pseudonymised", SPEC §9).
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Config } from "../config/config";
import type { Database, DbOrTx } from "../db/client";
import { consents, creditLedger, idempotencyKeys, jobs, outputs, purchases, users } from "../db/schema";
import { recordErasedSubject } from "../domain/users";
import type { GenerativeEngine } from "../generative/generative-engine";
import { cancelOpenPredictions, type PredictionRow } from "../generative/predictions";
import { ApiError } from "../http/api-error";
import type { Logger } from "../logger";
import { userPrefix, type Storage } from "../storage/storage";
import { eraseFreeTextOf, writeAudit, type Actor } from "./audit";

export interface ErasureDeps {
  db: Database;
  storage: Storage;
  logger: Logger;
  /** AI studio, where this process runs it: the user's running predictions stop at the provider. */
  generative?: Pick<GenerativeEngine, "cancelPredictions"> | undefined;
  /** Keys the hash that remembers the erased Canva identity (domain/users.subjectHash). */
  config: Pick<Config, "fileUrlSecret">;
}

export interface ErasureReceipt {
  receiptId: string;
  erasedAt: Date;
}

export interface EraseOptions {
  actor: Actor;
  now: Date;
  privacyRequestId?: string | null;
  /** Runs inside the erasure's transaction (the console completes its request here). */
  alsoInTransaction?: (tx: DbOrTx, receipt: ErasureReceipt) => Promise<void>;
}

/** An id the user can quote later; random, so it says nothing about who was erased. */
export function newReceiptId(): string {
  return `ER-${randomBytes(10).toString("base64url").toUpperCase().replace(/[-_]/g, "X")}`;
}

export async function eraseUser(
  deps: ErasureDeps,
  userId: string,
  options: EraseOptions,
): Promise<ErasureReceipt> {
  const receipt: ErasureReceipt = { receiptId: newReceiptId(), erasedAt: options.now };
  let running: PredictionRow[] = [];
  await deps.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ brandId: users.brandId, userId: users.canvaUserId })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!user) throw new ApiError("NOT_FOUND", "There is no such user.");
    const count = sql<number>`count(*)::int`;
    const [[outputCount], [jobCount]] = await Promise.all([
      tx.select({ n: count }).from(outputs).where(eq(outputs.userId, userId)),
      tx.select({ n: count }).from(jobs).where(eq(jobs.userId, userId)),
    ]);
    // AI studio styles still running end here, and at the provider once this commits.
    running = await cancelOpenPredictions(tx, { userId }, options.now);
    // Children first and the ledger before its jobs: the cascade would otherwise first clear the
    // ledger's job links (an update the append-only trigger must inspect) and then delete the rows.
    await tx.delete(outputs).where(eq(outputs.userId, userId));
    await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId));
    await tx.delete(creditLedger).where(eq(creditLedger.userId, userId));
    await tx.delete(jobs).where(eq(jobs.userId, userId));
    await tx.delete(consents).where(eq(consents.userId, userId));
    // Billing records stay for tax, but an email names the person; Stripe keeps its own receipts.
    await tx
      .update(purchases)
      .set({ customerEmail: null, stripeCustomerId: null, updatedAt: options.now })
      .where(eq(purchases.userId, userId));
    await eraseFreeTextOf(tx, userId);
    await tx.delete(users).where(eq(users.id, userId));
    await recordErasedSubject(tx, user, deps.config.fileUrlSecret, options.now);
    await writeAudit(tx, {
      actor: options.actor,
      action: "user.erased",
      at: options.now,
      subjectUserId: null,
      privacyRequestId: options.privacyRequestId,
      details: { receiptId: receipt.receiptId, outputs: outputCount?.n ?? 0, jobs: jobCount?.n ?? 0 },
    });
    await options.alsoInTransaction?.(tx, receipt);
  });
  await deleteUserFiles(deps, userId);
  // Not awaited: the person's answer must not wait on a provider (a cancel may take its request
  // timeout); each cancel logs its own failure, and the provider ends the prediction anyway.
  void deps.generative?.cancelPredictions(running);
  return receipt;
}

/**
 * Best effort after the commit; the orphan sweep finishes whatever this could not. The whole
 * prefix goes, not just the listed keys: temp files and directories are named after the user's ids.
 */
async function deleteUserFiles(deps: ErasureDeps, userId: string): Promise<void> {
  try {
    await deps.storage.deletePrefix(userPrefix(userId));
  } catch (err) {
    deps.logger.warn({ err: String(err) }, "erasure: files left for the orphan sweep");
  }
}
