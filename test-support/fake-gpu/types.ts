// The fake GPU's public shapes: how a test starts one, what it can change while it runs, and what
// it records.
import type { IncomingHttpHeaders } from "node:http";

export type FakeGpuKind = "replicate" | "cog";

/** What Cog's `GET /health-check` reports in `status`. */
export type CogHealth = "STARTING" | "READY" | "BUSY" | "SETUP_FAILED" | "DEFUNCT" | "UNHEALTHY";

/** Every status either deployment reports (`aborted`: Replicate only). */
export type FakeStatus = "starting" | "processing" | "succeeded" | "failed" | "canceled" | "aborted";

/** The switches a test may flip at any time through `gpu.behaviour`. */
export interface FakeGpuBehaviour {
  /** Milliseconds a prediction stays `starting` before the model runs (a cold boot: "slow start"). */
  startMs: number;
  /** Milliseconds the model runs (`processing`) before the prediction completes. */
  runMs: number;
  /** A prediction whose prompt includes one of these fails like a safety checker, every time. */
  failWhenPromptIncludes: string[];
  /** The next N completed callbacks are never sent (lost); `Infinity` loses them all. */
  dropCallbacks: number;
  /** How many times each completed callback is delivered (duplicates). */
  callbackCopies: number;
  /** Deliver the copies at once rather than one after another. */
  concurrentCopies: boolean;
  /** Replicate: give each copy its own `webhook-id` (by default copies share one, like retries). */
  distinctCopyIds: boolean;
  /** After the completed callback, also send a stale `processing` one (out of order). */
  staleAfterCompleted: boolean;
  /** Times a callback answered with a non-2xx (or not at all) is sent again. */
  callbackRetries: number;
  /** Replicate: the next N creates answer 429 "… resets in ~{rateLimitResetS}s". */
  rateLimitedCreates: number;
  rateLimitResetS: number;
  /** Every API request is answered 503 (an outage; `stop()` makes it unreachable instead). */
  unavailable: boolean;
  /** Cog: predictions one container runs at once (409 "At capacity" past it). */
  capacity: number;
  /** Cog: a health status that overrides the computed one (e.g. SETUP_FAILED, UNHEALTHY). */
  health: CogHealth | undefined;
  /** Replicate: how long outputs (and inputs) are kept after completion — "the hour". */
  outputTtlMs: number;
}

export type FakeGpuOptions = {
  kind: FakeGpuKind;
  /** 0 (the default): any free port. */
  port?: number;
  host?: string;
  /** Replicate: the API token the fake accepts (401 otherwise). */
  token?: string;
  /** Replicate: the `whsec_…` signing secret; Cog: the WEBHOOK_AUTH_TOKEN its callbacks carry. */
  webhookSecret?: string;
  /** Cog: milliseconds from start to READY (STARTING until then; creates answer 503). */
  setupMs?: number;
} & Partial<FakeGpuBehaviour>;

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or undefined. */
  body: unknown;
}

export interface SentCallback {
  predictionId: string;
  /** The prediction's status in the body sent. */
  status: FakeStatus;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The receiver's answer; undefined when it could not be reached or the callback was dropped. */
  responseStatus: number | undefined;
  dropped: boolean;
}

export interface FakePredictionView {
  id: string;
  status: FakeStatus;
  input: Record<string, unknown>;
  webhook: string | undefined;
  error: string | null;
}

export interface FakeGpu {
  readonly kind: FakeGpuKind;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** What REMOTE_ENGINE_URL should be: `${url}/v1` for Replicate, `url` for Cog. */
  readonly baseUrl: string;
  readonly token: string;
  readonly webhookSecret: string;
  /** REMOTE_ENGINE_* for a server that talks to this fake. */
  readonly env: Record<string, string>;
  /** Mutable: a change applies to what happens next. */
  readonly behaviour: FakeGpuBehaviour;
  /** Every request received, in order (so a test can check nothing identifying was sent). */
  readonly requests: RecordedRequest[];
  /** Every callback attempt, in order, including dropped ones. */
  readonly callbacks: SentCallback[];
  /** Ids of the predictions a cancel request was received for. */
  readonly canceled: string[];
  predictions(): FakePredictionView[];
  /**
   * The next `count` predictions whose prompt includes `promptIncludes` (any prompt when omitted)
   * fail with `error` (default the safety checker's words); later ones succeed.
   */
  failNext(count: number, match?: { promptIncludes?: string; error?: string }): void;
  /** Replicate: deletes every output now, as if their hour had passed. */
  deleteOutputs(): void;
  /** Resolves once every prediction is terminal and no callback is being delivered. */
  settled(): Promise<void>;
  /** Closes the server: from now on the fake is unreachable. */
  stop(): Promise<void>;
}
