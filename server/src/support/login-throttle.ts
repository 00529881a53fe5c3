// Console sign-in lock-out that a stranger can't trigger against a real admin (SPEC §5.4).
//
// Failures are counted per (account, IP) pair. The first FREE_FAILURES cost nothing; after that
// the pair must wait before its next try — 1 minute, doubling with each further failure, at most
// an hour — and is refused (429) without the password being checked. A correct password clears
// the pair; a quiet day forgets it. Someone guessing from elsewhere spends only their own pairs,
// so the admin signing in from their own address is never delayed by them. (The limit this
// replaces counted failures per account, and five wrong passwords from anywhere locked the real
// admin out.) Guessing one account from many addresses is bounded by the per-IP limit, the
// 12-character password minimum and argon2id's cost instead.
import { eq, sql } from "drizzle-orm";
import { sign } from "../crypto/signature";
import type { DbOrTx } from "../db/client";
import { supportLoginFailures } from "../db/schema";
import { ApiError } from "../http/api-error";
import { normaliseEmail } from "./accounts";

export const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 60_000;
const LONGEST_DELAY_MS = 60 * 60_000;
/** A pair silent this long starts again from zero; the retention job deletes its row. */
export const FAILURES_FORGOTTEN_MS = 24 * 60 * 60_000;

export interface LoginPair {
  account: string;
  /** The caller's address; undefined without a socket (in-process requests). */
  ip: string | undefined;
}

/** The pair's row key: an HMAC, so the table holds neither the email nor the address. */
export function pairKey(pair: LoginPair, secret: string): string {
  return sign("support-login-pair", `${normaliseEmail(pair.account)}\u0000${pair.ip ?? ""}`, secret);
}

/** Refuses the attempt while the pair must still wait, before any password is checked. */
export async function requireNoWait(db: DbOrTx, key: string, now: Date): Promise<void> {
  const [row] = await db.select().from(supportLoginFailures).where(eq(supportLoginFailures.key, key));
  if (!row || row.failures < FREE_FAILURES) return;
  const since = now.getTime() - row.lastFailureAt.getTime();
  if (since >= FAILURES_FORGOTTEN_MS) return;
  const delay = Math.min(FIRST_DELAY_MS * 2 ** (row.failures - FREE_FAILURES), LONGEST_DELAY_MS);
  const seconds = Math.ceil((delay - since) / 1000);
  if (seconds > 0) {
    throw new ApiError(
      "RATE_LIMITED",
      `Too many wrong passwords for this account from your address. Try again in ${waitText(seconds)}.`,
      { headers: { "Retry-After": String(seconds) } },
    );
  }
}

export async function recordFailure(db: DbOrTx, key: string, now: Date): Promise<void> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const forgottenBefore = sql`${new Date(now.getTime() - FAILURES_FORGOTTEN_MS).toISOString()}::timestamptz`;
  await db
    .insert(supportLoginFailures)
    .values({ key, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({
      target: supportLoginFailures.key,
      set: {
        failures: sql`case when ${supportLoginFailures.lastFailureAt} < ${forgottenBefore} then 1 else ${supportLoginFailures.failures} + 1 end`,
        lastFailureAt: at,
      },
    });
}

export async function clearFailures(db: DbOrTx, key: string): Promise<void> {
  await db.delete(supportLoginFailures).where(eq(supportLoginFailures.key, key));
}

function waitText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}
