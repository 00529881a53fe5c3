// Canva users: the (brand id, user id) pair from a verified token, created on first sight with
// FREE_CREDITS once per pair — once ever, even across an erasure (SPEC §6.3, §9). An erased pair
// is not created again on sight: a token from before the erasure (another open panel, a replay)
// would otherwise bring the account straight back. It answers 403 ACCOUNT_ERASED until the person
// consents again, which starts a new account.
import { createHmac } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/client";
import { erasedSubjects, freeCreditGrants, users } from "../db/schema";
import { ApiError } from "../http/api-error";
import { applyLedgerEntry } from "./credits";

export type UserRow = typeof users.$inferSelect;

export interface CanvaSubject {
  brandId: string;
  userId: string;
}

/**
 * The only trace an erased user leaves: a keyed hash of the pair, so free credits are granted
 * once (and, for a while, so the erasure is not undone by a token; erasedSubjects). Keyed with a
 * server secret so the hash can't be recomputed from public ids.
 */
export function subjectHash(subject: CanvaSubject, secret: string): string {
  return createHmac("sha256", secret)
    .update(`free-credits\0${subject.brandId}\0${subject.userId}`)
    .digest("base64url");
}

export async function findUser(db: Database, subject: CanvaSubject): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.brandId, subject.brandId), eq(users.canvaUserId, subject.userId)));
  return row;
}

export interface EnsureUserOptions {
  freeCredits: number;
  subjectSecret: string;
  /** The request starts a new account where an erased one was (a new, valid consent). */
  startsAfresh?: boolean;
}

/** Remembers an erased pair, in the erasure's transaction. */
export async function recordErasedSubject(tx: DbOrTx, subject: CanvaSubject, secret: string, at: Date) {
  await tx
    .insert(erasedSubjects)
    .values({ subjectHash: subjectHash(subject, secret), erasedAt: at })
    .onConflictDoUpdate({ target: erasedSubjects.subjectHash, set: { erasedAt: at } });
}

/** Returns the caller's row, creating it (and granting free credits once) on first sight. */
export async function ensureUser(
  db: Database,
  subject: CanvaSubject,
  options: EnsureUserOptions,
): Promise<UserRow> {
  const existing = await findUser(db, subject);
  if (existing) return existing;
  const hash = subjectHash(subject, options.subjectSecret);
  return db.transaction(async (tx) => {
    const [erased] = await tx.delete(erasedSubjects).where(eq(erasedSubjects.subjectHash, hash)).returning();
    if (erased && !options.startsAfresh) {
      throw new ApiError(
        "FORBIDDEN",
        "Your Headshot Studio data was deleted. To use the app again, agree to photo processing once more.",
        { reason: "ACCOUNT_ERASED" },
      );
    }
    const [created] = await tx
      .insert(users)
      .values({ brandId: subject.brandId, canvaUserId: subject.userId })
      .onConflictDoNothing()
      .returning();
    if (!created) {
      // A concurrent first request created it; read theirs.
      const [row] = await tx
        .select()
        .from(users)
        .where(and(eq(users.brandId, subject.brandId), eq(users.canvaUserId, subject.userId)));
      return row!;
    }
    if (options.freeCredits > 0) {
      const [firstTime] = await tx
        .insert(freeCreditGrants)
        .values({ subjectHash: hash })
        .onConflictDoNothing()
        .returning();
      if (firstTime) {
        const balance = await applyLedgerEntry(tx, {
          userId: created.id,
          kind: "grant_free",
          delta: options.freeCredits,
          note: "welcome credits",
        });
        return { ...created, creditBalance: balance };
      }
    }
    return created;
  });
}
