// The predictions contract (SPEC §7.3) as the rest of the server sees it: one interface that both
// deployments implement — a Cog container on our own GPUs, or Replicate's hosted API. Adapters
// translate HTTP; they know nothing of jobs, users, credits or the database.

export type ProviderKind = "cog" | "replicate";

/** A prediction's status as the provider reports it; `aborted` (Replicate) is read as failed. */
export type PredictionStatus = "starting" | "processing" | "succeeded" | "failed" | "canceled";
export const TERMINAL_PREDICTION_STATUSES: readonly PredictionStatus[] = ["succeeded", "failed", "canceled"];

/** One prediction to create: one style of one job, one attempt. */
export interface PredictionRequest {
  /** Our opaque id of this attempt (a UUID). Cog uses it as the prediction id (idempotent PUT). */
  id: string;
  /**
   * The model's input: `input_image` (the photo as a JPEG data URL), `prompt`, `aspect_ratio`
   * ("4:5"), `output_format` ("jpg"), `seed`. Nothing that identifies the user.
   */
  input: Record<string, unknown>;
  /** Where the provider posts the completed prediction. */
  webhookUrl: string;
  /** Seconds after which the provider should give up on it (Replicate's `Cancel-After`). */
  deadlineS: number;
}

/** What a provider says about one prediction, from a create, a poll or a callback. */
export interface PredictionState {
  /** The provider's id (Replicate's own id; for Cog, the id we chose). */
  providerId: string;
  status: PredictionStatus;
  /** Output images: https URLs (Replicate, deleted after one hour) or data URLs (Cog). */
  outputs: string[];
  /** The provider's error text when failed, e.g. "NSFW content detected"; never shown to users. */
  error: string | null;
  /** GPU seconds the prediction took (`metrics.predict_time`), what it costs us. */
  predictSeconds: number | null;
}

/** Why the provider would not take or answer a request. */
export type ProviderFailure =
  /** Cog's 409 "At capacity": this container runs one prediction at a time; try again shortly. */
  | { kind: "busy"; retryAfterMs: number }
  /** 429: back off as long as the answer says. */
  | { kind: "rate_limited"; retryAfterMs: number }
  /** Not reachable, 5xx, or (Cog) not READY: the provider can't take work now. */
  | { kind: "unavailable"; detail: string }
  /** Any other refusal (4xx): the request itself is wrong; retrying won't help. */
  | { kind: "refused"; detail: string };

export class ProviderError extends Error {
  override readonly name = "ProviderError";
  constructor(readonly failure: ProviderFailure) {
    super(
      `${failure.kind}: ${"detail" in failure ? failure.detail : `retry after ${failure.retryAfterMs} ms`}`,
    );
  }
}

/** A callback that failed verification (bad, stale or missing signature or token) → 400. */
export class CallbackRejected extends Error {
  override readonly name = "CallbackRejected";
}

/** A verified callback: the delivery's id (applied once) and the prediction's state. */
export interface VerifiedCallback {
  /** Replicate: the `webhook-id` header; Cog (no delivery id): `${providerId}:${status}`. */
  deliveryId: string;
  state: PredictionState;
}

export interface PredictionProvider {
  readonly kind: ProviderKind;
  /** Whether the provider can take work now (Cog: `GET /health-check` says READY or BUSY). */
  isReady(): Promise<boolean>;
  /** Creates the prediction asynchronously; throws ProviderError. */
  create(request: PredictionRequest): Promise<PredictionState>;
  /** The prediction's current state; `undefined` where the provider can't be polled (Cog). */
  poll(providerId: string): Promise<PredictionState | undefined>;
  /** Asks the provider to stop it; an unknown or finished prediction is not an error. */
  cancel(providerId: string): Promise<void>;
  /**
   * Verifies a callback before anything in it is read (Replicate: Standard Webhooks signature
   * with a 5-minute tolerance; Cog: the bearer token), then parses it. Throws CallbackRejected.
   */
  verifyCallback(headers: Headers, rawBody: string): VerifiedCallback;
  /** An output's bytes (an https URL or a data URL), at most `maxBytes`; throws ProviderError. */
  fetchOutput(ref: string, maxBytes: number): Promise<Uint8Array>;
}
