// The self-hosted deployment (SPEC §7.3, REMOTE_ENGINE_KIND=cog): the model in a Cog container
// (replicate/cog) on our own GPUs. Cog has no auth and no polling, runs one prediction at a time,
// and signs nothing: its callbacks carry the bearer token the container was given
// (WEBHOOK_AUTH_TOKEN), which is all that tells them from a forgery.
import { createHash, timingSafeEqual } from "node:crypto";
import { predictionState } from "./prediction-body";
import { outputBytes } from "./output-bytes";
import {
  CallbackRejected,
  ProviderError,
  type PredictionProvider,
  type PredictionRequest,
  type PredictionState,
  type VerifiedCallback,
} from "./provider";
import { failureOf, jsonOf, providerFetch, type Fetch } from "./provider-http";

export interface CogProviderOptions {
  /** The container's (or its load balancer's) base URL (REMOTE_ENGINE_URL). */
  baseUrl: string;
  /** The container's WEBHOOK_AUTH_TOKEN (REMOTE_ENGINE_WEBHOOK_SECRET). */
  webhookToken: string;
  fetch?: Fetch;
  /** How long a create or cancel may take. */
  requestTimeoutMs?: number;
  /** How long the health check may take: a container that can't answer it quickly isn't ready. */
  healthTimeoutMs?: number;
  /** How long downloading one output may take (Cog's are data URLs, unless it uploads them). */
  outputTimeoutMs?: number;
}

const DEFAULT_OPTIONS = { requestTimeoutMs: 15_000, healthTimeoutMs: 2_000, outputTimeoutMs: 30_000 };
/** What `GET /health-check` says when the container can take (or queue behind the balancer) work. */
const READY_STATUSES = new Set(["READY", "BUSY"]);

export function createCogProvider(options: CogProviderOptions): PredictionProvider {
  const { requestTimeoutMs, healthTimeoutMs, outputTimeoutMs } = { ...DEFAULT_OPTIONS, ...options };
  const fetchFn = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, "");
  const expectedAuthorization = digest(`Bearer ${options.webhookToken}`);
  const predictionUrl = (id: string) => `${base}/predictions/${encodeURIComponent(id)}`;

  return {
    kind: "cog",

    async isReady(): Promise<boolean> {
      try {
        const response = await providerFetch(
          fetchFn,
          `${base}/health-check`,
          { method: "GET" },
          healthTimeoutMs,
        );
        if (!response.ok) {
          await response.body?.cancel();
          return false;
        }
        const body = (await response.json()) as { status?: unknown };
        return typeof body.status === "string" && READY_STATUSES.has(body.status);
      } catch {
        return false;
      }
    },

    async create(request: PredictionRequest): Promise<PredictionState> {
      // PUT with our id is idempotent: a create retried after a lost answer finds the same run.
      const response = await providerFetch(
        fetchFn,
        predictionUrl(request.id),
        {
          method: "PUT",
          headers: { "Content-Type": "application/json", Prefer: "respond-async" },
          body: JSON.stringify({
            id: request.id,
            input: request.input,
            webhook: request.webhookUrl,
            webhook_events_filter: ["completed"],
          }),
        },
        requestTimeoutMs,
      );
      if (!response.ok) throw await failureOf(response);
      const state = predictionState(await jsonOf(response));
      if (!state) throw new ProviderError({ kind: "unavailable", detail: "the answer isn't a prediction" });
      return { ...state, providerId: request.id };
    },

    // Cog keeps no record to ask: its callback (or the deadline) is the only news.
    poll: async () => undefined,

    async cancel(providerId: string): Promise<void> {
      const response = await providerFetch(
        fetchFn,
        `${predictionUrl(providerId)}/cancel`,
        { method: "POST" },
        requestTimeoutMs,
      );
      // 404: the container isn't running it (finished, or never got it).
      if (!response.ok && response.status !== 404) throw await failureOf(response);
      await response.body?.cancel();
    },

    verifyCallback(headers: Headers, rawBody: string): VerifiedCallback {
      const authorization = headers.get("authorization");
      if (!authorization) throw new CallbackRejected("missing Authorization");
      // Digests have equal lengths, so the comparison's time says nothing about the token.
      if (!timingSafeEqual(digest(authorization), expectedAuthorization)) {
        throw new CallbackRejected("wrong bearer token");
      }
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new CallbackRejected("the body isn't JSON");
      }
      const state = predictionState(body);
      if (!state) throw new CallbackRejected("the body isn't a prediction");
      // Cog sends no delivery id; a prediction reaches each status once, so the pair is one.
      return { deliveryId: `${state.providerId}:${state.status}`, state };
    },

    fetchOutput: (ref, maxBytes) =>
      outputBytes(ref, maxBytes, { fetch: fetchFn, timeoutMs: outputTimeoutMs, plainHttp: "any" }),
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
