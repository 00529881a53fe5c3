// The one typed client of our backend (SPEC §4). Every response is parsed with the shared zod
// schemas, so a contract drift fails loudly here rather than deep inside a screen.
import {
  CheckoutResponse,
  ConsentState as ConsentStateSchema,
  DeleteMeResponse,
  ErrorBody,
  JobListResponse,
  JobResponse,
  MeResponse,
  PacksResponse,
} from "@headshot/shared";
import type { Aspect, Attire, ConsentState, EngineId, Job, StyleId } from "@headshot/shared";
import type { z } from "zod";
import { ApiError, fromCanvaError } from "./api-error";

/** A request with no complete answer by then fails as NETWORK (the screens offer Try again)
 * instead of spinning forever; the photo upload gets longer, for slow connections. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const UPLOAD_TIMEOUT_MS = 120_000;

export interface ApiClientOptions {
  baseUrl: string;
  /** A fresh Canva user token per request (SPEC §5.1: reuse nothing beyond one request). */
  getToken: () => Promise<string>;
  fetch?: typeof fetch;
}

export interface CreateHeadshotsRequest {
  photo: Blob;
  fileName: string;
  styles: readonly StyleId[];
  aspects: readonly Aspect[];
  engine: EngineId;
  /** What AI studio dresses the subject in; not sent for the studio engine, which has no say. */
  attire: Attire;
  /** Makes a retried submit charge once (the server scopes it to the user). */
  idempotencyKey: string;
  /** Canva Premium mode: the tracking session id (SPEC §8.2). */
  premiumUsageId?: string | undefined;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient({ baseUrl, getToken, fetch: fetchFn = fetch }: ApiClientOptions) {
  /** One exchange within `timeoutMs`: a fresh token, the response and `read` of its body. */
  async function request<T>(
    method: string,
    path: string,
    read: (response: Response) => Promise<T>,
    init: { body?: BodyInit; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = init.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      let token: string;
      try {
        // The SDK's token call can't be aborted; the deadline stops waiting for it.
        token = await untilAborted(getToken(), deadline.signal);
      } catch (err) {
        throw fromCanvaError(err);
      }
      let response: Response;
      try {
        response = await fetchFn(`${baseUrl}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...init.headers },
          body: init.body ?? null,
          signal: deadline.signal,
        });
      } catch (err) {
        throw new ApiError("NETWORK", err instanceof Error ? err.message : "Network error");
      }
      if (!response.ok) throw await toApiError(response);
      return await read(response);
    } catch (err) {
      if (deadline.signal.aborted) throw new ApiError("NETWORK", `no answer within ${timeoutMs / 1000} s`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async function json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown) {
    const parse = async (response: Response) => schema.parse(await response.json()) as z.infer<S>;
    return request(
      method,
      path,
      parse,
      body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } },
    );
  }

  return {
    me: () => json(MeResponse, "GET", "/v1/me"),

    /** `policyVersion`: the server's `me.consent.currentPolicyVersion`, what the user just read. */
    giveConsent: (policyVersion: string): Promise<ConsentState> =>
      json(ConsentStateSchema, "POST", "/v1/consent", {
        photoProcessing: true,
        ageConfirmed18: true,
        policyVersion,
      }),

    createHeadshots: async (input: CreateHeadshotsRequest): Promise<Job> => {
      const form = new FormData();
      form.append("photo", input.photo, input.fileName);
      for (const style of input.styles) form.append("styles", style);
      for (const aspect of input.aspects) form.append("aspects", aspect);
      form.append("engine", input.engine);
      if (input.engine === "generative") form.append("attire", input.attire);
      const headers: Record<string, string> = { "Idempotency-Key": input.idempotencyKey };
      if (input.premiumUsageId) headers["Canva-Premium-Usage-Id"] = input.premiumUsageId;
      const parse = async (response: Response) => JobResponse.parse(await response.json()).job;
      return request("POST", "/v1/headshots", parse, { body: form, headers, timeoutMs: UPLOAD_TIMEOUT_MS });
    },

    getJob: async (id: string): Promise<Job> =>
      (await json(JobResponse, "GET", `/v1/headshots/${encodeURIComponent(id)}`)).job,

    listJobs: (cursor?: string | null) =>
      json(JobListResponse, "GET", `/v1/headshots${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`),

    cancelJob: async (id: string): Promise<Job> =>
      (await json(JobResponse, "POST", `/v1/headshots/${encodeURIComponent(id)}/cancel`)).job,

    deleteJob: async (id: string): Promise<void> => {
      await request("DELETE", `/v1/headshots/${encodeURIComponent(id)}`, async () => undefined);
    },

    packs: async () => (await json(PacksResponse, "GET", "/v1/billing/packs")).packs,

    checkout: async (packId: string): Promise<string> =>
      (await json(CheckoutResponse, "POST", "/v1/billing/checkout", { packId })).url,

    /** The export document; its schema belongs to the server, so the panel reads it loosely. */
    exportMyData: async (): Promise<Record<string, unknown>> =>
      request("GET", "/v1/me/export", async (response) => (await response.json()) as Record<string, unknown>),

    deleteMe: () => json(DeleteMeResponse, "DELETE", "/v1/me"),
  };
}

/** `work`, or a rejection as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
    ),
  ]);
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get("Retry-After"));
  const details = {
    status: response.status,
    requestId: response.headers.get("X-Request-Id") ?? undefined,
    retryAfterS: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  };
  const parsed = ErrorBody.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return new ApiError(fallbackCode(response.status), response.statusText, details);
  const { code, message, reason, requestId } = parsed.data.error;
  return new ApiError(code, message, { ...details, reason, requestId });
}

/** A body that is not ours (a proxy's 502 page, say) still gets a code a screen understands. */
function fallbackCode(status: number): ApiError["code"] {
  if (status === 429) return "RATE_LIMITED";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status >= 500) return "UNAVAILABLE";
  return "BAD_REQUEST";
}
