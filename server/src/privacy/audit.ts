// The audit trail (SPEC §9, §10): who did what to whom, written by the caller in the same
// transaction as the change it records. Details never hold Canva ids or the internal user id —
// the subject is linked only through `subject_user_id`, which erasure sets to NULL — and the
// free text staff type about a user (a reason) is blanked at that user's erasure.
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { auditLog } from "../db/schema";

/** Who acted: the user in-app, a console account, the CLI operator, or the server itself. */
export type Actor =
  { type: "user" } | { type: "support"; supportUserId: string } | { type: "cli" } | { type: "system" };

export interface AuditEntry {
  actor: Actor;
  action: string;
  at: Date;
  subjectUserId?: string | null;
  privacyRequestId?: string | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    at: entry.at,
    actorType: entry.actor.type,
    actorId: entry.actor.type === "support" ? entry.actor.supportUserId : null,
    subjectUserId: entry.subjectUserId ?? null,
    privacyRequestId: entry.privacyRequestId ?? null,
    action: entry.action,
    details: entry.details ?? {},
  });
}

/** Detail keys that hold text a person typed, which may name or describe the subject. */
const FREE_TEXT_DETAILS = ["reason"] as const;
export const ERASED_TEXT = "(removed at erasure)";

/**
 * At erasure, inside its transaction and before the user row goes: the subject's entries are kept
 * (SPEC §9) with what happened, when and by whom, but their free text is replaced.
 */
export async function eraseFreeTextOf(tx: DbOrTx, subjectUserId: string): Promise<void> {
  for (const key of FREE_TEXT_DETAILS) {
    await tx
      .update(auditLog)
      .set({ details: sql`jsonb_set(${auditLog.details}, array[${key}], to_jsonb(${ERASED_TEXT}::text))` })
      .where(
        and(
          eq(auditLog.subjectUserId, subjectUserId),
          sql`jsonb_typeof(${auditLog.details} -> ${key}) = 'string'`,
        ),
      );
  }
}
