// Privacy rights (SPEC §9, §10): the user export document returned by `GET /v1/me/export` and the
// vocabulary of privacy requests worked in the support console.
import { z } from "zod";

export const PRIVACY_REQUEST_TYPES = [
  "access",
  "export",
  "erasure",
  "rectification",
  "restriction",
  "objection",
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

export const PRIVACY_REQUEST_STATUSES = [
  "received",
  "acknowledged",
  "verified",
  "in_progress",
  "completed",
  "denied",
] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];

/** GDPR: one month (+2 on extension); CCPA: 45 days (+45). */
export const JURISDICTIONS = ["gdpr", "ccpa"] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/** What the export says about photos, training and the one trace an erasure leaves. */
export const EXPORT_STATEMENTS = {
  photos:
    "Photos you upload are used only to generate your headshots, in memory; they are never written to disk or stored, and never used to train any model.",
  training: "Your data is never used for training. Training consent is off and cannot be switched on here.",
  freeCredits:
    "After an erasure we keep only a salted hash of your (brand, user) pair, and only so that free credits are not granted to the same Canva account twice.",
  retention:
    "Generated headshots are deleted automatically when they expire; job records are kept for a limited time; purchases are kept for tax, without a link to you once you erase your account.",
} as const;

const isoDate = z.string();

export const UserExport = z
  .object({
    format: z.literal("headshot-studio.user-export"),
    version: z.literal(1),
    generatedAt: isoDate,
    /**
     * This document as a file, for ten minutes, without a Canva token (for a browser tab). Only
     * `GET /v1/me/export` adds it; the downloaded file and support exports have none.
     */
    downloadUrl: z.string().optional(),
    user: z.object({
      id: z.string(),
      canvaUserId: z.string(),
      canvaBrandId: z.string(),
      createdAt: isoDate,
      creditBalance: z.number().int(),
      contactEmail: z.string().nullable(),
    }),
    restriction: z.object({
      restricted: z.boolean(),
      since: isoDate.nullable(),
      reason: z.string().nullable(),
    }),
    trainingConsent: z.literal(false),
    consents: z.array(
      z.object({
        policyVersion: z.string(),
        photoProcessing: z.boolean(),
        ageConfirmed18: z.boolean(),
        trainingOptIn: z.literal(false),
        givenAt: isoDate,
        withdrawnAt: isoDate.nullable(),
      }),
    ),
    jobs: z.array(
      z.object({
        id: z.string(),
        status: z.string(),
        /** The engine that made the job: `studio` (our servers) or `generative` (GPU provider). */
        engine: z.string(),
        attire: z.string().nullable(),
        stage: z.string(),
        styles: z.array(z.string()),
        aspects: z.array(z.string()),
        createdAt: isoDate,
        startedAt: isoDate.nullable(),
        finishedAt: isoDate.nullable(),
        error: z.object({ code: z.string(), reason: z.string().nullable() }).nullable(),
      }),
    ),
    outputs: z.array(
      z.object({
        id: z.string(),
        jobId: z.string(),
        style: z.string(),
        aspect: z.string(),
        width: z.number().int(),
        height: z.number().int(),
        mimeType: z.string(),
        createdAt: isoDate,
        /** When the output and its files are deleted. */
        expiresAt: isoDate,
        url: z.string(),
        thumbnailUrl: z.string(),
        /** When the two links stop working (ask for a new export for fresh ones). */
        linksExpireAt: isoDate,
      }),
    ),
    ledger: z.array(
      z.object({
        kind: z.string(),
        delta: z.number().int(),
        note: z.string().nullable(),
        jobId: z.string().nullable(),
        purchaseId: z.string().nullable(),
        createdAt: isoDate,
      }),
    ),
    purchases: z.array(
      z.object({
        id: z.string(),
        packId: z.string(),
        credits: z.number().int(),
        amountCents: z.number().int(),
        currency: z.string(),
        status: z.string(),
        customerEmail: z.string().nullable(),
        amountRefundedCents: z.number().int(),
        createdAt: isoDate,
      }),
    ),
    privacyRequests: z.array(
      z.object({
        id: z.string(),
        type: z.enum(PRIVACY_REQUEST_TYPES),
        status: z.enum(PRIVACY_REQUEST_STATUSES),
        receivedAt: isoDate,
        dueAt: isoDate,
        completedAt: isoDate.nullable(),
      }),
    ),
    statements: z.object({
      photos: z.literal(EXPORT_STATEMENTS.photos),
      training: z.literal(EXPORT_STATEMENTS.training),
      freeCredits: z.literal(EXPORT_STATEMENTS.freeCredits),
      retention: z.literal(EXPORT_STATEMENTS.retention),
    }),
  })
  .meta({ id: "UserExport" });
export type UserExport = z.infer<typeof UserExport>;
