// The audit trail (SPEC §9, §10): who did what to whom, written by the caller in the same
// transaction as the change it records. Details never hold Canva ids or the internal user id —
// the subject is linked only through `subject_user_id`, which erasure sets to NULL.
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
