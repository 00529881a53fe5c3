// Canva users: the (brand id, user id) pair from a verified token, created on first sight with
// FREE_CREDITS once per pair — once ever, even across an erasure (SPEC §6.3, §9).
import { createHmac } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { freeCreditGrants, users } from "../db/schema";
import { applyLedgerEntry } from "./credits";

export type UserRow = typeof users.$inferSelect;

export interface CanvaSubject {
  brandId: string;
  userId: string;
}

/**
 * The only trace an erased user leaves: a keyed hash of the pair, so free credits are granted
 * once. Keyed with a server secret so the hash can't be recomputed from public ids.
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
}

/** Returns the caller's row, creating it (and granting free credits once) on first sight. */
export async function ensureUser(
  db: Database,
  subject: CanvaSubject,
  options: EnsureUserOptions,
): Promise<UserRow> {
  const existing = await findUser(db, subject);
  if (existing) return existing;
  return db.transaction(async (tx) => {
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
        .values({ subjectHash: subjectHash(subject, options.subjectSecret) })
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
