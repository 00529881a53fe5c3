// Canva's JWKS as a key source: fetches, caches and rotates the RS256 keys that sign Canva user
// tokens. Hand-written on jose's importJWK because createRemoteJWKSet cannot tell "the JWKS is down"
// (→ 503, keep serving cached keys past their age) apart from "no such kid" (→ 401) (SPEC §5.1).
import { importJWK, type CryptoKey, type JWK, type KeyObject } from "jose";
import { ApiError } from "../http/api-error";

export type VerificationKey = CryptoKey | KeyObject;

export interface KeySource {
  /** The key for a token's `kid`; throws ApiError UNAUTHORIZED/TOKEN_INVALID or UNAVAILABLE. */
  getKey(kid: string): Promise<VerificationKey>;
}

export interface JwksKeySourceOptions {
  url: string;
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds. */
  now?: () => number;
  /** How long a fetched key set is trusted before it is refetched. */
  cacheMaxAgeMs?: number;
  /** Minimum time between two fetch attempts triggered by an unknown kid, a stale set or a failure. */
  unknownKidCooldownMs?: number;
  fetchTimeoutMs?: number;
  /** Told about every failed fetch (a logger hooks in here); the source keeps working either way. */
  onFetchError?: (error: unknown) => void;
}

const DEFAULT_OPTIONS = {
  cacheMaxAgeMs: 60 * 60_000,
  unknownKidCooldownMs: 30_000,
  fetchTimeoutMs: 30_000,
};

const MIN_RSA_MODULUS_BYTES = 2048 / 8;

export function canvaJwksUrl(appId: string): string {
  return `https://api.canva.com/rest/v1/apps/${encodeURIComponent(appId)}/jwks`;
}

export function createJwksKeySource(options: JwksKeySourceOptions): KeySource {
  const { url, cacheMaxAgeMs, unknownKidCooldownMs, fetchTimeoutMs, onFetchError } = {
    ...DEFAULT_OPTIONS,
    ...options,
  };
  const fetchJwks = options.fetch ?? fetch;
  const now = options.now ?? Date.now;

  let keys = new Map<string, VerificationKey>();
  let fetchedAt: number | undefined;
  let lastAttemptAt: number | undefined;
  let lastAttemptFailed = false;
  let inFlight: Promise<void> | undefined;

  async function attemptFetch(): Promise<void> {
    lastAttemptAt = now();
    try {
      keys = await loadKeys(fetchJwks, url, fetchTimeoutMs);
      fetchedAt = now();
      lastAttemptFailed = false;
    } catch (error) {
      // Keep the old keys: an outage must not log everybody out, and must never mean "allow".
      lastAttemptFailed = true;
      onFetchError?.(error);
    }
  }

  // Concurrent callers share one fetch, so a burst of unknown kids costs one request.
  function refresh(): Promise<void> {
    inFlight ??= attemptFetch().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function mayAttempt(at: number): boolean {
    return lastAttemptAt === undefined || at - lastAttemptAt >= unknownKidCooldownMs;
  }

  function retryAfterSeconds(at: number): string {
    const waitMs = (lastAttemptAt ?? at) + unknownKidCooldownMs - at;
    return String(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  return {
    async getKey(kid) {
      const at = now();
      const cached = keys.get(kid);
      const fresh = fetchedAt !== undefined && at - fetchedAt < cacheMaxAgeMs;
      if (cached && fresh) return cached;

      if (inFlight || mayAttempt(at)) await refresh();

      const key = keys.get(kid);
      if (key) return key;
      if (lastAttemptFailed || keys.size === 0) {
        throw new ApiError(
          "UNAVAILABLE",
          "Canva's signing keys cannot be fetched right now; please try again shortly.",
          { headers: { "Retry-After": retryAfterSeconds(now()) } },
        );
      }
      throw new ApiError("UNAUTHORIZED", "The Canva user token is signed by an unknown key.", {
        reason: "TOKEN_INVALID",
      });
    },
  };
}

async function loadKeys(
  fetchJwks: typeof fetch,
  url: string,
  timeoutMs: number,
): Promise<Map<string, VerificationKey>> {
  const response = await fetchJwks(url, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    throw new Error(`JWKS ${url} answered HTTP ${response.status}`);
  }
  const body: unknown = await response.json();
  const entries = isRecord(body) ? body.keys : undefined;
  if (!Array.isArray(entries)) throw new Error(`JWKS ${url} has no "keys" array`);

  const loaded = new Map<string, VerificationKey>();
  for (const entry of entries) {
    if (!isUsableSigningKey(entry)) continue;
    try {
      const key = await importJWK(entry, "RS256");
      // Bytes only come back for symmetric ("oct") keys, which isUsableSigningKey already excluded.
      if (!(key instanceof Uint8Array)) loaded.set(entry.kid, key);
    } catch {
      // One malformed key must not take the others down with it.
    }
  }
  return loaded;
}

function isUsableSigningKey(entry: unknown): entry is JWK & { kid: string } {
  return (
    isRecord(entry) &&
    entry.kty === "RSA" &&
    (entry.alg === undefined || entry.alg === "RS256") &&
    (entry.use === undefined || entry.use === "sig") &&
    typeof entry.kid === "string" &&
    entry.kid !== "" &&
    typeof entry.n === "string" &&
    typeof entry.e === "string" &&
    // jose refuses RS256 keys under 2048 bits at verification; drop them here, where it is visible.
    Buffer.from(entry.n, "base64url").length >= MIN_RSA_MODULUS_BYTES &&
    // A JWKS publishes public keys only; anything carrying a private part is not Canva's.
    entry.d === undefined
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
