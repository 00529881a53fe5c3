// Console sessions (SPEC §5.4): a random id in an HttpOnly cookie, only its SHA-256 in the
// database, with idle and absolute expiry. Each session has one CSRF token, derived from the id
// (so pages can render it) and stored hashed like the id.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { supportSessions, supportUsers } from "../db/schema";

export const SESSION_COOKIE = "hs_support_session";
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
// lastSeenAt is written at most this often, not on every page view.
const TOUCH_EVERY_MS = 60_000;

export type SupportRole = (typeof supportUsers.$inferSelect)["role"];

export interface StaffSession {
  staff: { id: string; email: string; role: SupportRole };
  csrfToken: string;
  idHash: string;
}

export const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");
const csrfTokenFor = (sessionId: string) =>
  createHmac("sha256", sessionId).update("csrf").digest("base64url");

export async function createSession(
  db: DbOrTx,
  supportUserId: string,
  now: Date,
): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await db.insert(supportSessions).values({
    idHash: sha256(sessionId),
    supportUserId,
    csrfTokenHash: sha256(csrfTokenFor(sessionId)),
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  });
  return { sessionId, expiresAt };
}

/** The live session for a cookie value, or undefined (expired, idle, unknown or disabled account). */
export async function loadSession(
  db: DbOrTx,
  sessionId: string,
  now: Date,
): Promise<StaffSession | undefined> {
  const idHash = sha256(sessionId);
  const [row] = await db
    .select({ session: supportSessions, staff: supportUsers })
    .from(supportSessions)
    .innerJoin(supportUsers, eq(supportUsers.id, supportSessions.supportUserId))
    .where(and(eq(supportSessions.idHash, idHash), isNull(supportUsers.disabledAt)));
  if (!row) return undefined;
  const { session, staff } = row;
  if (session.expiresAt <= now || session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now.getTime()) {
    await endSession(db, sessionId);
    return undefined;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db.update(supportSessions).set({ lastSeenAt: now }).where(eq(supportSessions.idHash, idHash));
  }
  return {
    staff: { id: staff.id, email: staff.email, role: staff.role },
    csrfToken: csrfTokenFor(sessionId),
    idHash,
  };
}

export async function endSession(db: DbOrTx, sessionId: string): Promise<void> {
  await db.delete(supportSessions).where(eq(supportSessions.idHash, sha256(sessionId)));
}

/** Compares a submitted CSRF token with the session's stored hash, in constant time. */
export async function csrfTokenValid(db: DbOrTx, idHash: string, submitted: string): Promise<boolean> {
  const [row] = await db
    .select({ hash: supportSessions.csrfTokenHash })
    .from(supportSessions)
    .where(eq(supportSessions.idHash, idHash));
  if (!row) return false;
  const expected = Buffer.from(row.hash);
  const given = Buffer.from(sha256(submitted));
  return expected.length === given.length && timingSafeEqual(expected, given);
}
