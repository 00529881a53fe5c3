// User lookup for the console (SPEC §10): by Canva user id, internal reference, purchase email or
// erasure receipt. Shows account facts and counts; there are no photos to browse. Each lookup and
// account view is audited (SPEC §5.4): staff reading personal data is a support action too.
import { isUuid } from "@headshot/shared";
import { and, desc, eq, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import type { UserRow } from "../domain/users";
import { creditLedger, jobs, outputs, privacyRequests, purchases, users } from "../db/schema";
import { ApiError } from "../http/api-error";
import { writeAudit, type Actor } from "../privacy/audit";
import { normaliseEmail } from "./accounts";
import { findErasureReceipt } from "./requests";

export type LookupKind = "reference" | "email" | "receipt" | "canva_user";

export interface LookupResult {
  kind: LookupKind;
  users: UserRow[];
  receipt: { receiptId: string; erasedAt: Date } | undefined;
}

/** Who is looking, for the audit entry. */
export interface Viewer {
  actor: Actor;
  now: Date;
}

/** Finds accounts and audits the lookup by the kind of query only: the query itself is personal. */
export async function lookupUsers(db: DbOrTx, query: string, viewer: Viewer): Promise<LookupResult> {
  const result = await findUsers(db, query.trim());
  await writeAudit(db, {
    actor: viewer.actor,
    action: "user.lookup",
    at: viewer.now,
    subjectUserId: result.users.length === 1 ? result.users[0]!.id : null,
    details: { queryKind: result.kind, matches: result.users.length },
  });
  return result;
}

async function findUsers(db: DbOrTx, q: string): Promise<LookupResult> {
  if (isUuid(q)) {
    const found = await db.select().from(users).where(eq(users.id, q.toLowerCase()));
    return { kind: "reference", users: found, receipt: undefined };
  }
  if (q.includes("@")) {
    const email = normaliseEmail(q);
    const found = await db
      .selectDistinct({ user: users })
      .from(users)
      .leftJoin(purchases, eq(purchases.userId, users.id))
      .where(
        or(eq(sql`lower(${purchases.customerEmail})`, email), eq(sql`lower(${users.contactEmail})`, email)),
      );
    return { kind: "email", users: found.map((r) => r.user), receipt: undefined };
  }
  const receipt = await findErasureReceipt(db, q);
  if (receipt) return { kind: "receipt", users: [], receipt };
  const found = await db.select().from(users).where(eq(users.canvaUserId, q));
  return { kind: "canva_user", users: found, receipt: undefined };
}

/** One account's facts for the account page; the view is audited against the account. */
export async function viewUserDetail(db: DbOrTx, userId: string, viewer: Viewer) {
  const detail = await userDetail(db, userId);
  await writeAudit(db, {
    actor: viewer.actor,
    action: "user.viewed",
    at: viewer.now,
    subjectUserId: detail.user.id,
  });
  return detail;
}

export async function userDetail(db: DbOrTx, userId: string) {
  if (!isUuid(userId)) throw new ApiError("NOT_FOUND", "There is no such user.");
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new ApiError("NOT_FOUND", "There is no such user.");
  const count = sql<number>`count(*)::int`;
  const [[jobCount], [outputCount], ledger, userPurchases, requests] = await Promise.all([
    db.select({ n: count }).from(jobs).where(eq(jobs.userId, userId)),
    db.select({ n: count }).from(outputs).where(eq(outputs.userId, userId)),
    db
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.userId, userId))
      .orderBy(desc(creditLedger.id))
      .limit(20),
    db.select().from(purchases).where(eq(purchases.userId, userId)).orderBy(desc(purchases.createdAt)),
    db
      .select()
      .from(privacyRequests)
      .where(and(eq(privacyRequests.userId, userId)))
      .orderBy(desc(privacyRequests.receivedAt)),
  ]);
  return {
    user,
    jobs: jobCount?.n ?? 0,
    outputs: outputCount?.n ?? 0,
    ledger,
    purchases: userPurchases,
    requests,
  };
}
