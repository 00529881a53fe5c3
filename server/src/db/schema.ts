// The whole database schema (drizzle). Every table the product needs lives here so features
// extend it; drizzle-kit generates the committed SQL under /drizzle from this file.
//
// Privacy rules baked into the design (SPEC §9):
//   - no table or column holds photo bytes, a face embedding or any identity template;
//   - per-user rows cascade-delete with the user; billing records (purchases) and audit entries
//     keep their row with the user link set to NULL;
//   - funnel counts have no user column; secrets (support sessions, API keys) are stored hashed.
import { sql } from "drizzle-orm";
import { JOB_STATUSES, PRIVACY_REQUEST_STATUSES, PRIVACY_REQUEST_TYPES } from "@headshot/shared";
import {
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

/** A Canva user: the pair (brand id, user id) from the verified token (SPEC §5.1). */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    brandId: text("brand_id").notNull(),
    canvaUserId: text("canva_user_id").notNull(),
    /** Cached balance, always written in the same transaction as the ledger entry. */
    creditBalance: integer("credit_balance").notNull().default(0),
    /** Contact email given in a privacy request (rectifiable); we never ask for it in-app. */
    contactEmail: text("contact_email"),
    restrictedAt: ts("restricted_at"),
    restrictionReason: text("restriction_reason"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_brand_user_uq").on(t.brandId, t.canvaUserId),
    check("users_balance_nonnegative", sql`${t.creditBalance} >= 0`),
  ],
);

/**
 * Who already received free credits: a salted hash of (brand, user) and nothing else, so that
 * erasing an account and coming back does not mint free credits again (SPEC §6.3, §9).
 */
export const freeCreditGrants = pgTable("free_credit_grants", {
  subjectHash: text("subject_hash").primaryKey(),
  grantedAt: ts("granted_at").notNull().defaultNow(),
});

/** Versioned consents: photo processing + age 18+ (SPEC §9). Training consent is opt-in, off. */
export const consents = pgTable(
  "consents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    policyVersion: text("policy_version").notNull(),
    photoProcessing: boolean("photo_processing").notNull(),
    ageConfirmed18: boolean("age_confirmed_18").notNull(),
    trainingOptIn: boolean("training_opt_in").notNull().default(false),
    givenAt: ts("given_at").notNull().defaultNow(),
    withdrawnAt: ts("withdrawn_at"),
  },
  (t) => [index("consents_user_idx").on(t.userId, t.givenAt)],
);

export const ledgerKind = pgEnum("ledger_kind", [
  "grant_free",
  "purchase",
  "generation",
  "refund_generation",
  "purchase_refund",
  "dispute",
  "dispute_reversal",
  "support_adjustment",
]);

export const jobStatus = pgEnum("job_status", JOB_STATUSES);

/** Server processes alive now; a job whose instance stops beating is failed and refunded. */
export const instances = pgTable("instances", {
  id: text("id").primaryKey(),
  startedAt: ts("started_at").notNull().defaultNow(),
  heartbeatAt: ts("heartbeat_at").notNull().defaultNow(),
  stoppedAt: ts("stopped_at"),
});

export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: jobStatus("status").notNull().default("queued"),
    stage: text("stage").notNull().default("validating"),
    progress: real("progress").notNull().default(0),
    styles: text("styles").array().notNull(),
    aspects: text("aspects").array().notNull(),
    /** The engine that runs the job (`studio` | `generative`); a fallback rewrites it. */
    engine: text("engine").notNull(),
    /** Generative jobs: the attire asked for (`own | business | smart_casual`). */
    attire: text("attire"),
    /** Credits the job costs (and a refund returns): 1 on the studio engine, GENERATIVE_CREDITS. */
    credits: integer("credits").notNull().default(1),
    /** The instance whose memory holds the photo; the only one that can run the job. */
    instanceId: text("instance_id").notNull(),
    /** True when a credit was charged (false in Canva Premium mode). */
    charged: boolean("charged").notNull().default(false),
    premiumUsageId: text("premium_usage_id"),
    errorCode: text("error_code"),
    errorReason: text("error_reason"),
    errorMessage: text("error_message"),
    createdAt: createdAt(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    /** Set once, by whoever refunds; guards against double refunds. */
    refundedAt: ts("refunded_at"),
  },
  (t) => [
    index("jobs_user_created_idx").on(t.userId, t.createdAt),
    index("jobs_active_instance_idx")
      .on(t.instanceId)
      .where(sql`${t.status} in ('queued', 'processing')`),
    index("jobs_finished_idx").on(t.finishedAt),
    // One Canva Premium tracking session pays for one generation.
    uniqueIndex("jobs_premium_usage_uq")
      .on(t.userId, t.premiumUsageId)
      .where(sql`${t.premiumUsageId} is not null`),
  ],
);

/** Where a generative style's prediction is (SPEC §7.3); `pending`: waiting to be sent. */
export const predictionStatus = pgEnum("prediction_status", [
  "pending",
  "starting",
  "processing",
  "succeeded",
  "failed",
  "canceled",
]);

/**
 * One row per style of a generative job. Its attempt and provider ids are those of the current
 * attempt (a retry gets new ones, so a late callback about the old attempt finds no row); a
 * terminal status is final. Prediction ids are processing-log data: they go with the job (retention, erasure).
 */
export const predictions = pgTable(
  "predictions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobId: uuid("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    style: text("style").notNull(),
    status: predictionStatus("status").notNull().default("pending"),
    /** Attempts sent so far (a failed style is retried once). */
    attempts: integer("attempts").notNull().default(0),
    /** Our id of the current attempt: Cog's prediction id, and the `attempt` in the webhook URL. */
    attemptId: uuid("attempt_id"),
    /** The provider's id of the current attempt (Replicate's own; equal to attemptId on Cog). */
    providerId: text("provider_id"),
    /** Why the style has no image (`FAILED | UNSAFE_CONTENT | TIMEOUT | UNAVAILABLE`). */
    missingReason: text("missing_reason"),
    /** GPU seconds over all attempts (what the style cost us). */
    predictSeconds: real("predict_seconds").notNull().default(0),
    createdAt: createdAt(),
    /** When the current attempt was sent; the reconciler's clock for late callbacks and timeouts. */
    sentAt: ts("sent_at"),
    /** Last time a reconciler asked the provider about it (claimed so two instances poll once). */
    polledAt: ts("polled_at"),
    /** Not to be sent before this (Cog busy, 429 backoff). */
    notBefore: ts("not_before"),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    uniqueIndex("predictions_job_style_uq").on(t.jobId, t.style),
    uniqueIndex("predictions_attempt_uq").on(t.attemptId),
    uniqueIndex("predictions_provider_uq").on(t.providerId),
    index("predictions_open_idx")
      .on(t.sentAt)
      .where(sql`${t.status} in ('pending', 'starting', 'processing')`),
  ],
);

/** Callback deliveries already applied (SPEC §7.3): recorded in the transaction that applies one. */
export const engineDeliveries = pgTable("engine_deliveries", {
  id: text("id").primaryKey(),
  predictionId: uuid("prediction_id")
    .notNull()
    .references(() => predictions.id, { onDelete: "cascade" }),
  receivedAt: createdAt(),
});

export const outputs = pgTable(
  "outputs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobId: uuid("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    style: text("style").notNull(),
    aspect: text("aspect").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    mimeType: text("mime_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    storageKey: text("storage_key").notNull(),
    thumbStorageKey: text("thumb_storage_key").notNull(),
    thumbWidth: integer("thumb_width").notNull(),
    thumbHeight: integer("thumb_height").notNull(),
    thumbByteSize: integer("thumb_byte_size").notNull(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
  },
  // A job's live outputs (every poll and history page) are one range of this index: with job_id
  // alone, PostgreSQL ANDs it with a scan of every live output in the expiry index.
  (t) => [
    index("outputs_job_expires_idx").on(t.jobId, t.expiresAt),
    index("outputs_expires_idx").on(t.expiresAt),
  ],
);

export const purchaseStatus = pgEnum("purchase_status", [
  "pending",
  "paid",
  "failed",
  "expired",
  "refunded",
  "partially_refunded",
]);

/** Billing records: kept after erasure for tax, with the user link set to NULL (SPEC §8.1). */
export const purchases = pgTable(
  "purchases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    packId: text("pack_id").notNull(),
    credits: integer("credits").notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    status: purchaseStatus("status").notNull().default("pending"),
    stripeCheckoutSessionId: text("stripe_checkout_session_id").unique(),
    stripePaymentIntentId: text("stripe_payment_intent_id"),
    stripeChargeId: text("stripe_charge_id"),
    stripeCustomerId: text("stripe_customer_id"),
    customerEmail: text("customer_email"),
    creditsGranted: integer("credits_granted").notNull().default(0),
    amountRefundedCents: integer("amount_refunded_cents").notNull().default(0),
    creditsRevoked: integer("credits_revoked").notNull().default(0),
    /** Credits a refund or dispute could not take back because they were already spent. */
    creditsShortfall: integer("credits_shortfall").notNull().default(0),
    disputed: boolean("disputed").notNull().default(false),
    disputeStatus: text("dispute_status"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("purchases_user_idx").on(t.userId),
    index("purchases_payment_intent_idx").on(t.stripePaymentIntentId),
    index("purchases_email_idx").on(t.customerEmail),
  ],
);

/**
 * Facts from Stripe charge and dispute events whose payment intent no purchase claims yet: Stripe
 * does not guarantee order, so they wait here until the checkout session event links the purchase.
 */
export const stripePaymentFacts = pgTable("stripe_payment_facts", {
  paymentIntentId: text("payment_intent_id").primaryKey(),
  chargeId: text("charge_id"),
  amountRefundedCents: integer("amount_refunded_cents").notNull().default(0),
  /** open | won | lost */
  disputeStatus: text("dispute_status"),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** Append-only credit ledger (SPEC §6.3); the balance is its sum. Updates are refused by trigger. */
export const creditLedger = pgTable(
  "credit_ledger",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: ledgerKind("kind").notNull(),
    delta: integer("delta").notNull(),
    jobId: uuid("job_id").references(() => jobs.id, { onDelete: "set null" }),
    purchaseId: uuid("purchase_id").references(() => purchases.id, { onDelete: "set null" }),
    stripeEventId: text("stripe_event_id"),
    supportUserId: uuid("support_user_id"),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [index("credit_ledger_user_idx").on(t.userId, t.id)],
);

/** `Idempotency-Key` → first job, per user, for 24 h (SPEC §6.2). */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    jobId: uuid("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_created_idx").on(t.createdAt)],
);

/** Webhook events already applied, recorded in the same transaction as their effect. */
export const processedWebhookEvents = pgTable("processed_webhook_events", {
  id: text("id").primaryKey(),
  source: text("source").notNull(),
  type: text("type").notNull(),
  processedAt: ts("processed_at").notNull().defaultNow(),
});

export const privacyRequestType = pgEnum("privacy_request_type", PRIVACY_REQUEST_TYPES);
export const privacyRequestStatus = pgEnum("privacy_request_status", PRIVACY_REQUEST_STATUSES);

export const supportRole = pgEnum("support_role", ["support", "admin"]);

export const supportUsers = pgTable("support_users", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(),
  /** argon2id hash. */
  passwordHash: text("password_hash").notNull(),
  role: supportRole("role").notNull().default("support"),
  createdAt: createdAt(),
  disabledAt: ts("disabled_at"),
});

/** Server-side console sessions; only the SHA-256 of the session id is stored. */
export const supportSessions = pgTable(
  "support_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    supportUserId: uuid("support_user_id")
      .notNull()
      .references(() => supportUsers.id, { onDelete: "cascade" }),
    csrfTokenHash: text("csrf_token_hash").notNull(),
    createdAt: createdAt(),
    lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
    /** Absolute expiry; idle expiry is derived from lastSeenAt. */
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("support_sessions_expires_idx").on(t.expiresAt)],
);

/** Privacy requests received by email and worked in the console, with legal due dates. */
export const privacyRequests = pgTable(
  "privacy_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    type: privacyRequestType("type").notNull(),
    status: privacyRequestStatus("status").notNull().default("received"),
    channel: text("channel").notNull(),
    jurisdiction: text("jurisdiction").notNull(),
    contact: text("contact"),
    receivedAt: ts("received_at").notNull(),
    dueAt: ts("due_at").notNull(),
    acknowledgedAt: ts("acknowledged_at"),
    verifiedAt: ts("verified_at"),
    verificationMethod: text("verification_method"),
    completedAt: ts("completed_at"),
    denialReason: text("denial_reason"),
    extendedAt: ts("extended_at"),
    extensionReason: text("extension_reason"),
    notes: text("notes"),
    createdBy: uuid("created_by").references(() => supportUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("privacy_requests_due_idx").on(t.status, t.dueAt)],
);

/** Audit trail of every support action and every erasure; the subject link is nullable. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: ts("at").notNull().defaultNow(),
    actorType: text("actor_type").notNull(),
    actorId: uuid("actor_id").references(() => supportUsers.id, { onDelete: "set null" }),
    subjectUserId: uuid("subject_user_id").references(() => users.id, { onDelete: "set null" }),
    privacyRequestId: uuid("privacy_request_id").references(() => privacyRequests.id, {
      onDelete: "set null",
    }),
    action: text("action").notNull(),
    details: jsonb("details").notNull().default({}),
  },
  (t) => [index("audit_log_subject_idx").on(t.subjectUserId), index("audit_log_at_idx").on(t.at)],
);

/** Anonymous daily funnel counts (SPEC §9, seed 000): deliberately no user column. */
export const funnelCounts = pgTable(
  "funnel_counts",
  {
    day: date("day").notNull(),
    event: text("event").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.event] })],
);

/** Token buckets of the PostgreSQL-backed rate limiter store, shared by all instances. */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  key: text("key").primaryKey(),
  tokens: doublePrecision("tokens").notNull(),
  updatedAt: ts("updated_at").notNull(),
});

/**
 * Consecutive failed console sign-ins per (account, IP) pair, for the progressive delay of
 * support/login-throttle.ts. The key is an HMAC of the pair: no email or address is stored.
 */
export const supportLoginFailures = pgTable(
  "support_login_failures",
  {
    key: text("key").primaryKey(),
    failures: integer("failures").notNull(),
    lastFailureAt: ts("last_failure_at").notNull(),
  },
  (t) => [index("support_login_failures_last_idx").on(t.lastFailureAt)],
);

/**
 * Canva identities erased in the last ERASED_SUBJECT_RETENTION_DAYS, by the keyed hash of
 * domain/users.subjectHash: a token of theirs does not silently bring the account back; only a new
 * consent does (SPEC §9 erasure).
 */
export const erasedSubjects = pgTable(
  "erased_subjects",
  {
    subjectHash: text("subject_hash").primaryKey(),
    erasedAt: ts("erased_at").notNull(),
  },
  (t) => [index("erased_subjects_erased_at_idx").on(t.erasedAt)],
);
