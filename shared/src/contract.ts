// The API contract (SPEC §4): request and response schemas the server validates with and the
// panel's typed client parses with. Shapes listed in SPEC §4 may gain fields, never change.
import { z } from "zod";
import { ASPECT_IDS, STYLE_IDS } from "./styles";
import { PlainText } from "./text";

export const CURRENT_POLICY_VERSION = "1";

export const StyleIdSchema = z.enum(STYLE_IDS);
export const AspectSchema = z.enum(ASPECT_IDS as ["1:1", "4:5"]);

export const BillingMode = z.enum(["credits", "canva_premium"]);
export type BillingMode = z.infer<typeof BillingMode>;

/** The two engines (SPEC §7.1): our CPU restyle of the photo, and generative "AI studio". */
export const ENGINE_IDS = ["studio", "generative"] as const;
export const EngineId = z.enum(ENGINE_IDS);
export type EngineId = z.infer<typeof EngineId>;

/** What the generative engine dresses the subject in (SPEC §4); the studio engine keeps their own. */
export const ATTIRE_IDS = ["own", "business", "smart_casual"] as const;
export const Attire = z.enum(ATTIRE_IDS);
export type Attire = z.infer<typeof Attire>;
export const DEFAULT_ATTIRE: Attire = "business";

export const EngineOffer = z
  .object({
    id: EngineId,
    /** Credits one job on this engine costs. */
    credits: z.number().int(),
    /** How long a job usually takes, for the panel to say before the click. */
    typicalSeconds: z.number().int(),
    /**
     * Where the photo goes (SPEC §7.3 Privacy): only our own servers (the studio engine, AI studio
     * on our GPUs), or a hosted GPU provider that deletes it within an hour.
     */
    processedBy: z.enum(["our_servers", "gpu_provider"]),
  })
  .meta({ id: "EngineOffer" });
export type EngineOffer = z.infer<typeof EngineOffer>;

export const CreditPackSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    credits: z.number().int(),
    priceCents: z.number().int(),
    currency: z.string(),
  })
  .meta({ id: "CreditPack" });
export type CreditPackView = z.infer<typeof CreditPackSchema>;

export const ConsentState = z
  .object({
    given: z.boolean(),
    policyVersion: z.string().nullable(),
    /** The policy version the app currently asks consent for. */
    currentPolicyVersion: z.string(),
    givenAt: z.string().nullable(),
    ageConfirmed18: z.boolean(),
    trainingConsent: z.literal(false),
  })
  .meta({ id: "ConsentState" });
export type ConsentState = z.infer<typeof ConsentState>;

export const MeResponse = z
  .object({
    user: z.object({ id: z.string(), restricted: z.boolean() }),
    credits: z.object({ balance: z.number().int() }),
    billing: z.object({
      mode: BillingMode,
      /** Whether this server sells credit packs (credits mode with Stripe configured). */
      paymentsEnabled: z.boolean(),
      packs: z.array(CreditPackSchema),
    }),
    consent: ConsentState,
    /** The engines on offer, the default (studio) first. */
    engines: z.array(EngineOffer),
  })
  .meta({ id: "Me" });
export type MeResponse = z.infer<typeof MeResponse>;

export const ConsentRequest = z
  .object({
    photoProcessing: z.literal(true, { message: "Consent to photo processing is required." }),
    ageConfirmed18: z.literal(true, { message: "You must confirm that you are 18 or older." }),
    policyVersion: PlainText.min(1).max(20),
  })
  .meta({ id: "ConsentRequest" });
export type ConsentRequest = z.infer<typeof ConsentRequest>;

export const JOB_STATUSES = ["queued", "processing", "succeeded", "failed", "canceled"] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const JOB_STAGES = [
  "validating",
  "detecting",
  "framing",
  "segmenting",
  "rendering",
  /** Generative engine: the GPU predictions are running (one per style). */
  "generating",
  "storing",
] as const;
export const JobStage = z.enum(JOB_STAGES);
export type JobStage = z.infer<typeof JobStage>;

export const OutputSchema = z
  .object({
    id: z.string(),
    style: StyleIdSchema,
    aspect: AspectSchema,
    width: z.number().int(),
    height: z.number().int(),
    mimeType: z.string(),
    url: z.string(),
    thumbnailUrl: z.string(),
    thumbnailWidth: z.number().int(),
    thumbnailHeight: z.number().int(),
    expiresAt: z.string(),
  })
  .meta({ id: "Output" });
export type Output = z.infer<typeof OutputSchema>;

/** A style a generative job could not make, and why (SPEC §7.3 partial results). */
export const MISSING_REASONS = ["FAILED", "UNSAFE_CONTENT", "TIMEOUT", "UNAVAILABLE"] as const;
export const MissingStyle = z
  .object({ style: StyleIdSchema, reason: z.enum(MISSING_REASONS) })
  .meta({ id: "MissingStyle" });
export type MissingStyle = z.infer<typeof MissingStyle>;

export const JobError = z.object({
  code: z.string(),
  reason: z.string().nullable(),
  message: z.string(),
});

export const JobSchema = z
  .object({
    id: z.string(),
    status: JobStatus,
    /** The engine that ran (or runs) the job: a generative job that fell back says `studio`. */
    engine: EngineId,
    /** Generative only: the attire asked for; null on the studio engine. */
    attire: Attire.nullable(),
    progress: z.number().min(0).max(1),
    stage: JobStage,
    styles: z.array(StyleIdSchema),
    aspects: z.array(AspectSchema),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    error: JobError.nullable(),
    outputs: z.array(OutputSchema),
    /** Styles that ended without an image (generative partial results); empty otherwise. */
    missing: z.array(MissingStyle),
  })
  .meta({ id: "Job" });
export type Job = z.infer<typeof JobSchema>;

export const JobResponse = z.object({ job: JobSchema }).meta({ id: "JobResponse" });
export const JobListResponse = z
  .object({ jobs: z.array(JobSchema), nextCursor: z.string().nullable() })
  .meta({ id: "JobList" });
export type JobListResponse = z.infer<typeof JobListResponse>;

export const PacksResponse = z.object({ packs: z.array(CreditPackSchema) }).meta({ id: "Packs" });
export const CheckoutRequest = z.object({ packId: PlainText.min(1).max(40) }).meta({ id: "CheckoutRequest" });
export const CheckoutResponse = z.object({ url: z.string() }).meta({ id: "CheckoutResponse" });

export const DeleteMeResponse = z
  .object({ receiptId: z.string(), erasedAt: z.string() })
  .meta({ id: "ErasureReceipt" });
export type DeleteMeResponse = z.infer<typeof DeleteMeResponse>;

export const HealthResponse = z.object({ status: z.literal("ok") }).meta({ id: "Health" });
export const ReadyResponse = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    database: z.boolean(),
    migrations: z.boolean(),
    /** The studio engine's workers: `warming` (loading their models; generation requests are
     * accepted and wait for them), `ready`, or `failed` (they can't run: not ready). */
    engine: z.enum(["warming", "ready", "failed"]),
  })
  .meta({ id: "Ready" });
