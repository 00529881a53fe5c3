// HTTP to a prediction provider, the same for both deployments: a request that can't get an answer
// in time is `unavailable`, and an error answer becomes the ProviderFailure the status means.
import { ProviderError } from "./provider";

export type Fetch = typeof fetch;

/** How long to wait for a 429 to clear when the answer doesn't say. */
const DEFAULT_RETRY_AFTER_MS = 10_000;
/** Cog's 409 "At capacity": its one prediction usually frees the container within seconds. */
const BUSY_RETRY_AFTER_MS = 2_000;
const MAX_DETAIL_CHARS = 200;

/** `fetch` with a timeout; a network error or the timeout throws ProviderError unavailable. */
export async function providerFetch(
  fetchFn: Fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    throw new ProviderError({
      kind: "unavailable",
      detail: timedOut ? `no answer within ${timeoutMs} ms` : `unreachable (${networkCause(err)})`,
    });
  }
}

/** The ProviderError an unsuccessful answer stands for; reads (and so consumes) the body. */
export async function failureOf(response: Response): Promise<ProviderError> {
  const text = await response.text().catch(() => "");
  const { status } = response;
  if (status === 429) {
    const retryAfterMs = waitFromBody(text) ?? waitFromHeader(response.headers) ?? DEFAULT_RETRY_AFTER_MS;
    return new ProviderError({ kind: "rate_limited", retryAfterMs });
  }
  if (status === 409) return new ProviderError({ kind: "busy", retryAfterMs: BUSY_RETRY_AFTER_MS });
  const detail = `HTTP ${status}${describe(text)}`;
  return new ProviderError({ kind: status >= 500 ? "unavailable" : "refused", detail });
}

/** The JSON body of a successful answer; a body that isn't JSON is the provider's fault. */
export async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new ProviderError({
      kind: "unavailable",
      detail: `HTTP ${response.status} with a body that isn't JSON`,
    });
  }
}

/** Replicate's 429 says "… resets in ~5s" (and has said "Expected available in 1 second"). */
function waitFromBody(text: string): number | undefined {
  const match = /\bin ~?(\d+(?:\.\d+)?)\s*s/i.exec(text);
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

/** `Retry-After` in seconds (Replicate doesn't document one, but a proxy in front may send it). */
function waitFromHeader(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}

/**
 * The error's own words, when the body has them as `detail` or `title` (Replicate's problem
 * details, Cog's FastAPI errors). Structured validation errors are left out: pydantic echoes the
 * offending input, which can be the photo.
 */
function describe(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "";
  }
  if (typeof body !== "object" || body === null) return "";
  const { detail, title } = body as { detail?: unknown; title?: unknown };
  const words = typeof detail === "string" ? detail : typeof title === "string" ? title : undefined;
  return words ? `: ${words.slice(0, MAX_DETAIL_CHARS)}` : "";
}

function networkCause(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return cause.code;
  return err instanceof Error ? err.message : String(err);
}
