// Restriction of processing (SPEC §9, seed 003 "limit use"): while a user is restricted, generation
// is refused; export and erasure keep working. Each change is audited in the same transaction (a
// savepoint when the caller already holds one).
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { users } from "../db/schema";
import type { UserRow } from "../domain/users";
import { ApiError } from "../http/api-error";
import { writeAudit, type Actor } from "./audit";

/** Generation's gate: 403 FORBIDDEN, reason RESTRICTED, while a restriction is active. */
export function requireNotRestricted(user: Pick<UserRow, "restrictedAt">): void {
  if (user.restrictedAt !== null) {
    throw new ApiError(
      "FORBIDDEN",
      "Processing of your data is paused at your request, so new headshots can't be generated. " +
        "You can still export or delete your data; contact support to lift the restriction.",
      { reason: "RESTRICTED" },
    );
  }
}

export interface RestrictionChange {
  userId: string;
  actor: Actor;
  now: Date;
  reason?: string;
  privacyRequestId?: string | null;
}

/** Restricts processing (idempotent: an active restriction keeps its start and reason). */
export function restrictUser(db: DbOrTx, change: RestrictionChange): Promise<void> {
  return setRestriction(db, change, true);
}

/** Lifts a restriction (idempotent). */
export function unrestrictUser(db: DbOrTx, change: RestrictionChange): Promise<void> {
  return setRestriction(db, change, false);
}

/** Sets or lifts the restriction and audits the change; a no-op when it is already so. */
async function setRestriction(db: DbOrTx, change: RestrictionChange, restricted: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, change.userId)).for("update");
    if (!user) throw new ApiError("NOT_FOUND", "There is no such user.");
    if ((user.restrictedAt !== null) === restricted) return;
    await tx
      .update(users)
      .set(
        restricted
          ? { restrictedAt: change.now, restrictionReason: change.reason ?? null }
          : { restrictedAt: null, restrictionReason: null },
      )
      .where(eq(users.id, change.userId));
    await writeAudit(tx, {
      actor: change.actor,
      action: restricted ? "user.restricted" : "user.unrestricted",
      at: change.now,
      subjectUserId: change.userId,
      privacyRequestId: change.privacyRequestId,
      details: { reason: change.reason ?? null },
    });
  });
}
