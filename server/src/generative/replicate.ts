// The hosted deployment (SPEC §7.3, REMOTE_ENGINE_KIND=replicate): Replicate's HTTP API, spoken
// directly rather than through the `replicate` client, whose webhook check accepts replays, whose
// 429 retry ignores the wait and whose file handling uploads the photo to Replicate's file store.
import { Webhook } from "standardwebhooks";
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

export interface ReplicateProviderOptions {
  /** The API base including `/v1` (REMOTE_ENGINE_URL). */
  baseUrl: string;
  /** The API token (REMOTE_ENGINE_TOKEN), sent only to `baseUrl`. */
  token: string;
  /** `owner/name` (its latest version), `owner/name:version` or a bare version id. */
  model: string;
  /** The webhook signing secret, `whsec_…` (`GET /v1/webhooks/default/secret`). */
  webhookSecret: string;
  fetch?: Fetch;
  /** How long one API call may take. */
  requestTimeoutMs?: number;
  /** How long downloading one output may take. */
  outputTimeoutMs?: number;
}

const DEFAULT_OPTIONS = { requestTimeoutMs: 15_000, outputTimeoutMs: 30_000 };
/** Replicate accepts deadlines from 5 seconds to 24 hours. */
const CANCEL_AFTER_RANGE_S = [5, 24 * 60 * 60] as const;

export function createReplicateProvider(options: ReplicateProviderOptions): PredictionProvider {
  const { baseUrl, token, webhookSecret, requestTimeoutMs, outputTimeoutMs } = {
    ...DEFAULT_OPTIONS,
    ...options,
  };
  const fetchFn = options.fetch ?? fetch;
  const base = baseUrl.replace(/\/+$/, "");
  const route = createRoute(base, options.model);
  // Built once: a malformed secret fails at start-up, not on the first callback.
  const webhook = new Webhook(webhookSecret);
  const auth = { Authorization: `Bearer ${token}` };
  const api = (path: string, init: RequestInit) =>
    providerFetch(
      fetchFn,
      `${base}${path}`,
      { ...init, headers: { ...auth, ...init.headers } },
      requestTimeoutMs,
    );

  return {
    kind: "replicate",

    // Replicate queues whatever it is sent; trouble shows as an error on create.
    isReady: async () => true,

    async create(request: PredictionRequest): Promise<PredictionState> {
      const response = await providerFetch(
        fetchFn,
        route.url,
        {
          method: "POST",
          headers: {
            ...auth,
            "Content-Type": "application/json",
            "Cancel-After": cancelAfter(request.deadlineS),
          },
          body: JSON.stringify({
            ...(route.version ? { version: route.version } : {}),
            input: request.input,
            webhook: request.webhookUrl,
            webhook_events_filter: ["completed"],
          }),
        },
        requestTimeoutMs,
      );
      if (!response.ok) throw await failureOf(response);
      return stateOf(await jsonOf(response));
    },

    async poll(providerId: string): Promise<PredictionState> {
      const response = await api(`/predictions/${encodeURIComponent(providerId)}`, { method: "GET" });
      if (!response.ok) throw await failureOf(response);
      return stateOf(await jsonOf(response));
    },

    async cancel(providerId: string): Promise<void> {
      const response = await api(`/predictions/${encodeURIComponent(providerId)}/cancel`, { method: "POST" });
      // A finished prediction answers 200 with its final state; one Replicate no longer knows, 404.
      if (!response.ok && response.status !== 404) throw await failureOf(response);
      await response.body?.cancel();
    },

    verifyCallback(headers: Headers, rawBody: string): VerifiedCallback {
      const deliveryId = headers.get("webhook-id");
      const timestamp = headers.get("webhook-timestamp");
      const signature = headers.get("webhook-signature");
      if (!deliveryId || !timestamp || !signature) {
        throw new CallbackRejected("missing webhook-id, webhook-timestamp or webhook-signature");
      }
      let body: unknown;
      try {
        body = webhook.verify(rawBody, {
          "webhook-id": deliveryId,
          "webhook-timestamp": timestamp,
          "webhook-signature": signature,
        });
      } catch (err) {
        // The library's own words are short and name no secret ("Message timestamp too old").
        const reason = err instanceof SyntaxError ? "the signed body isn't JSON" : (err as Error).message;
        throw new CallbackRejected(reason);
      }
      const state = predictionState(body);
      if (!state) throw new CallbackRejected("the signed body isn't a prediction");
      return { deliveryId, state };
    },

    fetchOutput: (ref, maxBytes) =>
      outputBytes(ref, maxBytes, { fetch: fetchFn, timeoutMs: outputTimeoutMs, plainHttp: "loopback" }),
  };
}

interface CreateRoute {
  url: string;
  /** Set when the model names a version: the body's `version` for `POST /predictions`. */
  version?: string;
}

/** `owner/name` runs the model's latest version; a version (with or without its model) is pinned. */
function createRoute(base: string, model: string): CreateRoute {
  const named = /^([\w.-]+)\/([\w.-]+)$/.exec(model);
  if (named) {
    return {
      url: `${base}/models/${encodeURIComponent(named[1]!)}/${encodeURIComponent(named[2]!)}/predictions`,
    };
  }
  if (/^([\w.-]+\/[\w.-]+:)?[A-Za-z0-9]+$/.test(model)) return { url: `${base}/predictions`, version: model };
  throw new Error("REMOTE_ENGINE_MODEL: owner/name, owner/name:version or a version id");
}

/** The deadline as Replicate reads it ("300s"), within the range it accepts. */
function cancelAfter(deadlineS: number): string {
  const [min, max] = CANCEL_AFTER_RANGE_S;
  return `${Math.min(max, Math.max(min, Math.ceil(deadlineS)))}s`;
}

function stateOf(body: unknown): PredictionState {
  const state = predictionState(body);
  if (!state) throw new ProviderError({ kind: "unavailable", detail: "the answer isn't a prediction" });
  return state;
}
