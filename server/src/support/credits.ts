// Credit adjustments by support (SPEC §10): one ledger entry of kind support_adjustment naming the
// staff member, with its reason, audited in the same transaction.
import type { DbOrTx } from "../db/client";
import { applyLedgerEntry } from "../domain/credits";
import { ApiError } from "../http/api-error";
import { writeAudit, type Actor } from "../privacy/audit";

export const MAX_ADJUSTMENT = 1000;

export async function adjustCredits(
  db: DbOrTx,
  input: { userId: string; delta: number; reason: string },
  actor: Actor,
  now: Date,
): Promise<number> {
  const reason = input.reason.trim();
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > MAX_ADJUSTMENT) {
    throw new ApiError(
      "BAD_REQUEST",
      `The adjustment must be a whole number from -${MAX_ADJUSTMENT} to ${MAX_ADJUSTMENT}, not 0.`,
    );
  }
  if (!reason) throw new ApiError("BAD_REQUEST", "A reason for the adjustment is required.");
  return db.transaction(async (tx) => {
    const balance = await applyLedgerEntry(tx, {
      userId: input.userId,
      kind: "support_adjustment",
      delta: input.delta,
      supportUserId: actor.type === "support" ? actor.supportUserId : null,
      note: reason.slice(0, 500),
    }).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === "INSUFFICIENT_CREDITS") {
        throw new ApiError("CONFLICT", "The balance is smaller than the credits you are taking away.");
      }
      throw err;
    });
    await writeAudit(tx, {
      actor,
      action: "credits.adjusted",
      at: now,
      subjectUserId: input.userId,
      details: { delta: input.delta, reason: reason.slice(0, 500) },
    });
    return balance;
  });
}
