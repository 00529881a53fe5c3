// User lookup for the console (SPEC §10): by Canva user id, internal reference, purchase email or
// erasure receipt. Shows account facts and counts; there are no photos to browse.
import { and, desc, eq, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { creditLedger, jobs, outputs, privacyRequests, purchases, users } from "../db/schema";
import { ApiError } from "../http/api-error";
import { normaliseEmail } from "./accounts";
import { findErasureReceipt } from "./requests";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type UserRow = typeof users.$inferSelect;

export interface LookupResult {
  users: UserRow[];
  receipt: { receiptId: string; erasedAt: Date } | undefined;
}

export async function lookupUsers(db: DbOrTx, query: string): Promise<LookupResult> {
  const q = query.trim();
  if (!q) return { users: [], receipt: undefined };
  if (UUID.test(q)) {
    return { users: await db.select().from(users).where(eq(users.id, q.toLowerCase())), receipt: undefined };
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
    return { users: found.map((r) => r.user), receipt: undefined };
  }
  const receipt = await findErasureReceipt(db, q);
  if (receipt) return { users: [], receipt };
  return { users: await db.select().from(users).where(eq(users.canvaUserId, q)), receipt: undefined };
}

export async function userDetail(db: DbOrTx, userId: string) {
  if (!UUID.test(userId)) throw new ApiError("NOT_FOUND", "There is no such user.");
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
