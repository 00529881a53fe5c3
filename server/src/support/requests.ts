// Privacy requests received by email (SPEC §10): intake with due dates, the status flow
// received → acknowledged → verified → in_progress → completed | denied, one extension, and the
// actions on the verified user. Console, CLI and tests call these; each change and its audit entry
// share one transaction, with the request row locked.
import { and, asc, desc, eq, inArray, isNotNull, lt, notInArray, sql } from "drizzle-orm";
import {
  isUuid,
  type Jurisdiction,
  type PrivacyRequestStatus,
  type PrivacyRequestType,
  type UserExport,
} from "@headshot/shared";
import type { Config } from "../config/config";
import type { Database, DbOrTx } from "../db/client";
import { auditLog, privacyRequests, purchases, users } from "../db/schema";
import { ApiError } from "../http/api-error";
import type { Logger } from "../logger";
import { writeAudit, type Actor } from "../privacy/audit";
import { eraseUser, type ErasureDeps, type ErasureReceipt } from "../privacy/erasure";
import { exportUser } from "../privacy/export";
import { restrictUser, unrestrictUser } from "../privacy/restriction";
import type { Storage } from "../storage/storage";
import { normaliseEmail } from "./accounts";
import { dueDate, extendedDueDate } from "./deadlines";

export type PrivacyRequest = typeof privacyRequests.$inferSelect;

export interface RequestDeps {
  db: Database;
  storage: Storage;
  logger: Logger;
  config: Pick<Config, "publicBaseUrl" | "fileUrlSecret" | "FILE_URL_TTL_S">;
  generative?: ErasureDeps["generative"];
}

const OPEN: PrivacyRequestStatus[] = ["received", "acknowledged", "verified", "in_progress"];
const ACTIONABLE: PrivacyRequestStatus[] = ["verified", "in_progress"];

export interface NewRequest {
  type: PrivacyRequestType;
  channel: string;
  jurisdiction: Jurisdiction;
  receivedAt: Date;
  contact?: string | null;
  notes?: string | null;
}

/** Older than this, a received date is a typing mistake (and year 0 is one PostgreSQL refuses). */
const OLDEST_RECEIVED_MS = 366 * 24 * 3600 * 1000;

export async function createRequest(db: DbOrTx, input: NewRequest, actor: Actor, now: Date) {
  if (input.receivedAt > now) throw new ApiError("BAD_REQUEST", "The received date can't be in the future.");
  if (!(input.receivedAt.getTime() >= now.getTime() - OLDEST_RECEIVED_MS)) {
    throw new ApiError("BAD_REQUEST", "The received date can't be more than a year ago.");
  }
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(privacyRequests)
      .values({
        type: input.type,
        channel: input.channel,
        jurisdiction: input.jurisdiction,
        contact: input.contact?.trim() || null,
        receivedAt: input.receivedAt,
        dueAt: dueDate(input.receivedAt, input.jurisdiction),
        notes: input.notes?.trim() || null,
        createdBy: actor.type === "support" ? actor.supportUserId : null,
        createdAt: now,
      })
      .returning();
    await writeAudit(tx, {
      actor,
      action: "privacy_request.created",
      at: now,
      privacyRequestId: created!.id,
      details: { type: input.type, jurisdiction: input.jurisdiction },
    });
    return created!;
  });
}

/** Open requests, overdue first, then by due date. */
export function listOpenRequests(db: DbOrTx, now: Date) {
  return (
    db
      .select()
      .from(privacyRequests)
      .where(inArray(privacyRequests.status, OPEN))
      // An ISO string, not a Date: raw SQL parameters skip the column mapping postgres.js relies on.
      .orderBy(
        desc(sql`${privacyRequests.dueAt} <= ${now.toISOString()}::timestamptz`),
        asc(privacyRequests.dueAt),
      )
  );
}

export function listOverdueRequests(db: DbOrTx, now: Date) {
  return db
    .select()
    .from(privacyRequests)
    .where(and(inArray(privacyRequests.status, OPEN), lt(privacyRequests.dueAt, now)))
    .orderBy(asc(privacyRequests.dueAt));
}

export function listClosedRequests(db: DbOrTx, limit = 50) {
  return db
    .select()
    .from(privacyRequests)
    .where(notInArray(privacyRequests.status, OPEN))
    .orderBy(desc(privacyRequests.createdAt))
    .limit(limit);
}

export async function getRequest(db: DbOrTx, id: string) {
  if (!isUuid(id)) throw new ApiError("NOT_FOUND", "There is no such request.");
  const [request] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  if (!request) throw new ApiError("NOT_FOUND", "There is no such request.");
  const trail = await db
    .select()
    .from(auditLog)
    .where(eq(auditLog.privacyRequestId, id))
    .orderBy(asc(auditLog.id));
  return { request, trail };
}

interface Step {
  set?: Partial<typeof privacyRequests.$inferInsert>;
  details?: Record<string, unknown>;
}

/** Locks the request, checks its status, applies the step and audits it, in one transaction. */
async function step(
  db: DbOrTx,
  id: string,
  allowed: PrivacyRequestStatus[],
  action: string,
  context: { actor: Actor; now: Date },
  work: (tx: DbOrTx, request: PrivacyRequest) => Promise<Step>,
): Promise<PrivacyRequest> {
  if (!isUuid(id)) throw new ApiError("NOT_FOUND", "There is no such request.");
  return db.transaction(async (tx) => {
    const [request] = await tx.select().from(privacyRequests).where(eq(privacyRequests.id, id)).for("update");
    if (!request) throw new ApiError("NOT_FOUND", "There is no such request.");
    if (!allowed.includes(request.status)) {
      throw new ApiError(
        "CONFLICT",
        `This can't be done to a request that is ${request.status.replace("_", " ")}.`,
      );
    }
    const result = await work(tx, request);
    const [updated] = result.set
      ? await tx.update(privacyRequests).set(result.set).where(eq(privacyRequests.id, id)).returning()
      : [request];
    await writeAudit(tx, {
      actor: context.actor,
      action: `privacy_request.${action}`,
      at: context.now,
      privacyRequestId: id,
      subjectUserId: updated!.userId,
      details: result.details ?? {},
    });
    return updated!;
  });
}

type Ctx = { actor: Actor; now: Date };

export const acknowledgeRequest = (db: DbOrTx, id: string, ctx: Ctx) =>
  step(db, id, ["received"], "acknowledged", ctx, async () => ({
    set: { status: "acknowledged", acknowledgedAt: ctx.now },
  }));

export type VerificationMethod = "reference" | "purchase_email";

/**
 * Identity is verified only with what we already hold (seed 003): the reference the app shows
 * the user (their account id), an erasure receipt id, or a purchase email matched against the
 * purchase records Stripe gave us — and only when the request itself came from that address.
 * Nothing new is asked for.
 */
export const verifyRequest = (
  db: DbOrTx,
  id: string,
  proof: { method: VerificationMethod; value: string },
  ctx: Ctx,
) =>
  step(db, id, ["received", "acknowledged"], "verified", ctx, async (tx, request) => {
    const match = await matchProof(tx, request, proof);
    if (!match) {
      throw new ApiError("BAD_REQUEST", "Nothing we hold matches that; the identity is not verified.");
    }
    return {
      set: {
        status: "verified",
        verifiedAt: ctx.now,
        acknowledgedAt: request.acknowledgedAt ?? ctx.now,
        verificationMethod: match.method,
        userId: match.userId,
      },
      details: { method: match.method },
    };
  });

async function matchProof(
  tx: DbOrTx,
  request: PrivacyRequest,
  proof: { method: VerificationMethod; value: string },
): Promise<{ method: string; userId: string | null } | undefined> {
  const value = proof.value.trim();
  if (proof.method === "purchase_email") {
    // Anyone can quote someone else's email; only a message sent from it shows they control it.
    const fromThatAddress =
      request.channel === "email" &&
      request.contact !== null &&
      normaliseEmail(request.contact) === normaliseEmail(value);
    if (!fromThatAddress) {
      throw new ApiError(
        "BAD_REQUEST",
        "A purchase email proves identity only when the request was emailed from that address. " +
          "Verify by the reference shown in the app or by the erasure receipt id instead.",
      );
    }
    const owners = await tx
      .selectDistinct({ userId: purchases.userId })
      .from(purchases)
      .where(
        and(eq(sql`lower(${purchases.customerEmail})`, normaliseEmail(value)), isNotNull(purchases.userId)),
      );
    // Two accounts paying with one email can't tell us which is the requester's.
    return owners.length === 1 ? { method: "purchase email", userId: owners[0]!.userId } : undefined;
  }
  if (isUuid(value)) {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, value.toLowerCase()));
    return user ? { method: "in-app reference", userId: user.id } : undefined;
  }
  return (await findErasureReceipt(tx, value)) ? { method: "erasure receipt", userId: null } : undefined;
}

export async function findErasureReceipt(db: DbOrTx, receiptId: string) {
  const [entry] = await db
    .select({ at: auditLog.at })
    .from(auditLog)
    .where(
      and(eq(auditLog.action, "user.erased"), eq(sql`${auditLog.details}->>'receiptId'`, receiptId.trim())),
    );
  return entry ? { receiptId: receiptId.trim(), erasedAt: entry.at } : undefined;
}

function requireUser(request: PrivacyRequest): string {
  if (!request.userId) {
    throw new ApiError("CONFLICT", "This request is not linked to an account (it may already be erased).");
  }
  return request.userId;
}

/** The export document for the requester; the request moves to in progress until it is sent. */
export async function exportForRequest(deps: RequestDeps, id: string, ctx: Ctx): Promise<UserExport> {
  let document: UserExport | undefined;
  await step(deps.db, id, ACTIONABLE, "export_generated", ctx, async (tx, request) => {
    document = await exportUser({ db: tx, config: deps.config }, requireUser(request), ctx.now);
    return { set: { status: "in_progress" } };
  });
  return document!;
}

/** Erases the requester; the request is completed in the erasure's own transaction. */
export async function eraseForRequest(deps: RequestDeps, id: string, ctx: Ctx): Promise<ErasureReceipt> {
  const { request } = await getRequest(deps.db, id);
  if (!ACTIONABLE.includes(request.status)) {
    throw new ApiError("CONFLICT", "Verify the requester's identity before erasing.");
  }
  return eraseUser(deps, requireUser(request), {
    actor: ctx.actor,
    now: ctx.now,
    privacyRequestId: id,
    alsoInTransaction: async (tx, receipt) => {
      await step(tx, id, ACTIONABLE, "completed", ctx, async () => ({
        set: { status: "completed", completedAt: ctx.now },
        details: { receiptId: receipt.receiptId },
      }));
    },
  });
}

export const restrictForRequest = (db: DbOrTx, id: string, reason: string, ctx: Ctx) =>
  step(db, id, ACTIONABLE, "restriction_applied", ctx, async (tx, request) => {
    await restrictUser(tx, { userId: requireUser(request), reason, privacyRequestId: id, ...ctx });
    return { set: { status: "in_progress" } };
  });

export const unrestrictForRequest = (db: DbOrTx, id: string, reason: string, ctx: Ctx) =>
  step(db, id, ACTIONABLE, "restriction_lifted", ctx, async (tx, request) => {
    await unrestrictUser(tx, { userId: requireUser(request), reason, privacyRequestId: id, ...ctx });
    return { set: { status: "in_progress" } };
  });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Rectification: the only personal field we hold that a person can correct is the contact email. */
export const rectifyContactEmail = (db: DbOrTx, id: string, email: string, ctx: Ctx) =>
  step(db, id, ACTIONABLE, "contact_email_rectified", ctx, async (tx, request) => {
    const value = email.trim();
    if (!EMAIL.test(value)) throw new ApiError("BAD_REQUEST", "That is not an email address.");
    await tx
      .update(users)
      .set({ contactEmail: value })
      .where(eq(users.id, requireUser(request)));
    // The audit entry outlives an erasure, so it names the field, never the value.
    return { set: { status: "in_progress" }, details: { field: "contactEmail" } };
  });

const required = (text: string, what: string) => {
  const value = text.trim();
  if (!value) throw new ApiError("BAD_REQUEST", `A ${what} is required.`);
  return value.slice(0, 2000);
};

export const completeRequest = (db: DbOrTx, id: string, note: string, ctx: Ctx) =>
  step(db, id, ACTIONABLE, "completed", ctx, async (_tx, request) => ({
    set: { status: "completed", completedAt: ctx.now, notes: appendNote(request.notes, note, ctx.now) },
  }));

export const denyRequest = (db: DbOrTx, id: string, reason: string, ctx: Ctx) =>
  step(db, id, OPEN, "denied", ctx, async () => ({
    set: { status: "denied", completedAt: ctx.now, denialReason: required(reason, "reason for the denial") },
  }));

/** One extension, with a reason, decided before the original due date (the user is told then). */
export const extendRequest = (db: DbOrTx, id: string, reason: string, ctx: Ctx) =>
  step(db, id, OPEN, "extended", ctx, async (_tx, request) => {
    const why = required(reason, "reason for the extension");
    if (request.extendedAt) throw new ApiError("CONFLICT", "This request has already been extended once.");
    if (request.dueAt <= ctx.now) {
      throw new ApiError("CONFLICT", "An extension must be decided before the request is due.");
    }
    const newDue = extendedDueDate(request.dueAt, request.jurisdiction as Jurisdiction);
    return {
      set: { extendedAt: ctx.now, extensionReason: why, dueAt: newDue },
      details: { from: request.dueAt.toISOString(), to: newDue.toISOString() },
    };
  });

export const addRequestNote = (db: DbOrTx, id: string, note: string, ctx: Ctx) =>
  step(db, id, [...OPEN, "completed", "denied"], "note_added", ctx, async (_tx, request) => ({
    set: { notes: appendNote(request.notes, required(note, "note"), ctx.now) },
  }));

function appendNote(existing: string | null, note: string, now: Date): string | null {
  const text = note.trim();
  if (!text) return existing;
  const line = `${now.toISOString().slice(0, 10)}: ${text.slice(0, 2000)}`;
  return existing ? `${existing}\n${line}` : line;
}
