// Access and portability (SPEC §9): everything we hold about one user as one JSON document that
// validates against the shared `UserExport` schema, with fresh signed links to their outputs.
// It carries no download link to itself: only the in-app route adds one (v1_me_export.ts), so the
// downloaded file, CLI and console exports don't each mint a fresh bearer link.
import { asc, eq } from "drizzle-orm";
import { EXPORT_STATEMENTS, UserExport } from "@headshot/shared";
import type { Config } from "../config/config";
import type { DbOrTx } from "../db/client";
import { consents, creditLedger, jobs, outputs, privacyRequests, purchases, users } from "../db/schema";
import { ApiError } from "../http/api-error";
import { signedOutputUrls } from "../jobs/output-urls";

export interface ExportDeps {
  db: DbOrTx;
  config: Pick<Config, "publicBaseUrl" | "fileUrlSecret" | "FILE_URL_TTL_S">;
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export async function exportUser(deps: ExportDeps, userId: string, now: Date): Promise<UserExport> {
  const { db, config } = deps;
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new ApiError("NOT_FOUND", "There is no such user.");
  const [consentRows, jobRows, outputRows, ledgerRows, purchaseRows, requestRows] = await Promise.all([
    db.select().from(consents).where(eq(consents.userId, userId)).orderBy(asc(consents.givenAt)),
    db.select().from(jobs).where(eq(jobs.userId, userId)).orderBy(asc(jobs.createdAt)),
    db.select().from(outputs).where(eq(outputs.userId, userId)).orderBy(asc(outputs.createdAt)),
    db.select().from(creditLedger).where(eq(creditLedger.userId, userId)).orderBy(asc(creditLedger.id)),
    db.select().from(purchases).where(eq(purchases.userId, userId)).orderBy(asc(purchases.createdAt)),
    db
      .select()
      .from(privacyRequests)
      .where(eq(privacyRequests.userId, userId))
      .orderBy(asc(privacyRequests.receivedAt)),
  ]);

  const document: UserExport = {
    format: "headshot-studio.user-export",
    version: 1,
    generatedAt: iso(now),
    user: {
      id: user.id,
      canvaUserId: user.canvaUserId,
      canvaBrandId: user.brandId,
      createdAt: iso(user.createdAt),
      creditBalance: user.creditBalance,
      contactEmail: user.contactEmail,
    },
    restriction: {
      restricted: user.restrictedAt !== null,
      since: isoOrNull(user.restrictedAt),
      reason: user.restrictionReason,
    },
    trainingConsent: false,
    consents: consentRows.map((c) => ({
      policyVersion: c.policyVersion,
      photoProcessing: c.photoProcessing,
      ageConfirmed18: c.ageConfirmed18,
      // Training is never used (SPEC §9); the column exists only to prove it stays off.
      trainingOptIn: false as const,
      givenAt: iso(c.givenAt),
      withdrawnAt: isoOrNull(c.withdrawnAt),
    })),
    jobs: jobRows.map((j) => ({
      id: j.id,
      status: j.status,
      engine: j.engine,
      attire: j.attire,
      stage: j.stage,
      styles: j.styles,
      aspects: j.aspects,
      createdAt: iso(j.createdAt),
      startedAt: isoOrNull(j.startedAt),
      finishedAt: isoOrNull(j.finishedAt),
      error: j.errorCode ? { code: j.errorCode, reason: j.errorReason } : null,
    })),
    outputs: outputRows
      .filter((o) => o.expiresAt > now)
      .map((o) => {
        const links = signedOutputUrls(config, o, now);
        // The same instant signedOutputUrls signs: the TTL, capped by the output's own expiry.
        const linksExpireAt = new Date(
          Math.min(now.getTime() + config.FILE_URL_TTL_S * 1000, o.expiresAt.getTime()),
        );
        return {
          id: o.id,
          jobId: o.jobId,
          style: o.style,
          aspect: o.aspect,
          width: o.width,
          height: o.height,
          mimeType: o.mimeType,
          createdAt: iso(o.createdAt),
          expiresAt: iso(o.expiresAt),
          url: links.url,
          thumbnailUrl: links.thumbnailUrl,
          linksExpireAt: iso(linksExpireAt),
        };
      }),
    ledger: ledgerRows.map((l) => ({
      kind: l.kind,
      delta: l.delta,
      note: l.note,
      jobId: l.jobId,
      purchaseId: l.purchaseId,
      createdAt: iso(l.createdAt),
    })),
    purchases: purchaseRows.map((p) => ({
      id: p.id,
      packId: p.packId,
      credits: p.credits,
      amountCents: p.amountCents,
      currency: p.currency,
      status: p.status,
      customerEmail: p.customerEmail,
      amountRefundedCents: p.amountRefundedCents,
      createdAt: iso(p.createdAt),
    })),
    privacyRequests: requestRows.map((r) => ({
      id: r.id,
      type: r.type,
      status: r.status,
      receivedAt: iso(r.receivedAt),
      dueAt: iso(r.dueAt),
      completedAt: isoOrNull(r.completedAt),
    })),
    statements: EXPORT_STATEMENTS,
  };
  // Parsing here makes a drift between this builder and the published schema fail loudly.
  return UserExport.parse(document);
}
