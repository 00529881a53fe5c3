// Canva users: the (brand id, user id) pair from a verified token, created on first sight with
// FREE_CREDITS once per pair — once ever, even across an erasure (SPEC §6.3, §9). An erased pair
// is not created again on sight: a token from before the erasure (another open panel, a replay)
// would otherwise bring the account straight back. It answers 403 ACCOUNT_ERASED until the person
// consents again, which starts a new account.
import { createHmac } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/client";
import { batchedRead } from "../db/batched-read";
import { jsonValue } from "../db/json-value";
import { preparedPerDatabase } from "../db/prepared";
import { consents, erasedSubjects, freeCreditGrants, users } from "../db/schema";
import { ApiError } from "../http/api-error";
import type { ConsentFacts } from "./consent";
import { applyLedgerEntry } from "./credits";

export type UserRow = typeof users.$inferSelect;

/** A user as `userField` reads it: UserRow's fields in this order, timestamps as text. */
type UserTuple = [
  id: string,
  brandId: string,
  canvaUserId: string,
  creditBalance: number,
  contactEmail: string | null,
  restrictedAt: string | null,
  restrictionReason: string | null,
  createdAt: string,
];

/**
 * The `users` row of the enclosing query as one selected field: a JSON array of its columns, which
 * the driver reads and drizzle maps as one value where the row is eight at ~0.13 µs each. Every
 * /v1 request reads its caller's row (README, Performance: a row is one field on the hot reads).
 * Table-qualified SQL text, as in the queries that join other tables to it.
 */
export const userField = () =>
  sql<UserRow>`json_build_array(
    users.id, users.brand_id, users.canva_user_id, users.credit_balance, users.contact_email,
    users.restricted_at, users.restriction_reason, users.created_at
  )`.mapWith(toUserRow);

/** A `userField` value as a row. */
function toUserRow(value: unknown): UserRow {
  const [id, brandId, canvaUserId, creditBalance, contactEmail, restrictedAt, restrictionReason, createdAt] =
    jsonValue<UserTuple>(value);
  return {
    id,
    brandId,
    canvaUserId,
    creditBalance,
    contactEmail,
    restrictedAt: restrictedAt === null ? null : new Date(restrictedAt),
    restrictionReason,
    createdAt: new Date(createdAt),
  };
}

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
  return (await findUserWithConsent(db, subject))?.user;
}

// The user and their latest un-withdrawn consent in one round trip: every /v1 request reads the
// user, and GET /v1/me (the panel's first call) needs the consent too. Read in batches: the users
// of the requests that arrive in one turn of the event loop are one query (db/batched-read.ts).
const usersWithConsentQuery = preparedPerDatabase((db) => {
  const latest = db
    .select({
      policyVersion: consents.policyVersion,
      photoProcessing: consents.photoProcessing,
      ageConfirmed18: consents.ageConfirmed18,
      givenAt: consents.givenAt,
    })
    .from(consents)
    .where(and(eq(consents.userId, users.id), isNull(consents.withdrawnAt)))
    .orderBy(desc(consents.givenAt))
    .limit(1)
    .as("latest_consent");
  return db
    .select({
      user: userField(),
      consent: {
        policyVersion: latest.policyVersion,
        photoProcessing: latest.photoProcessing,
        ageConfirmed18: latest.ageConfirmed18,
        givenAt: latest.givenAt,
      },
    })
    .from(users)
    .leftJoinLateral(latest, sql`true`)
    .where(
      sql`(${users.brandId}, ${users.canvaUserId}) in (select * from unnest(${sql.placeholder("brandIds")}::text[], ${sql.placeholder("userIds")}::text[]))`,
    )
    .prepare("users_with_consent");
});

type UserWithConsent = { user: UserRow; consent: ConsentFacts | null };

/** A Canva identity as one string, to key reads by. */
export const subjectId = (subject: CanvaSubject) => `${subject.brandId}\0${subject.userId}`;

const userWithConsent = batchedRead<CanvaSubject, UserWithConsent>({
  idOf: subjectId,
  async load(db, subjects) {
    const rows = await usersWithConsentQuery(db).execute({
      brandIds: subjects.map((s) => s.brandId),
      userIds: subjects.map((s) => s.userId),
    });
    return new Map(
      rows.map((row) => [subjectId({ brandId: row.user.brandId, userId: row.user.canvaUserId }), row]),
    );
  },
});

/** The user (if seen before) with the latest consent they have not withdrawn, if any. */
export function findUserWithConsent(
  db: Database,
  subject: CanvaSubject,
): Promise<UserWithConsent | undefined> {
  return userWithConsent(db, subject);
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
