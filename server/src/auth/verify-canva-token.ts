// Verification of Canva user tokens (SPEC §5.1): RS256 signature by kid, aud, exp/nbf, required
// claims; turns every failure into the ApiError the client sees. Verified tokens are cached briefly.
import { hash } from "node:crypto";
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from "jose";
import { LRUCache } from "lru-cache";
import { ApiError } from "../http/api-error";
import type { KeySource } from "./canva-keys";

/** The caller. A user is the pair (brandId, userId): data is always keyed by both. */
export interface CanvaIdentity {
  userId: string;
  brandId: string;
  /** Canva Premium apps: actions the user may be billed for; [] otherwise. */
  billableActions: string[];
}

export interface CanvaTokenVerifier {
  verify(token: string): Promise<CanvaIdentity>;
}

export interface VerifiedTokenCacheOptions {
  maxEntries?: number;
  /** Upper bound on how long a verified token is served without re-checking its signature. */
  maxAgeMs?: number;
}

export interface CanvaTokenVerifierOptions {
  appId: string;
  keys: KeySource;
  /** Clock leeway for exp/nbf, 0..5 seconds (JWT_LEEWAY_S). */
  leewaySeconds?: number;
  /** Clock in epoch milliseconds. */
  now?: () => number;
  /** `false` turns the verified-token cache off. */
  cache?: VerifiedTokenCacheOptions | false;
}

const DEFAULT_OPTIONS = {
  leewaySeconds: 0,
  cache: { maxEntries: 10_000, maxAgeMs: 5 * 60_000 },
};

const MAX_LEEWAY_SECONDS = 5;

interface CachedIdentity {
  identity: CanvaIdentity;
  expiresAt: number;
}

export function createCanvaTokenVerifier(options: CanvaTokenVerifierOptions): CanvaTokenVerifier {
  const { appId, keys, leewaySeconds } = { ...DEFAULT_OPTIONS, ...options };
  const now = options.now ?? Date.now;
  if (!appId) throw new Error("createCanvaTokenVerifier: appId is required");
  if (!Number.isInteger(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
    throw new Error(`JWT leeway must be an integer from 0 to ${MAX_LEEWAY_SECONDS} seconds`);
  }

  const cache =
    options.cache === false
      ? undefined
      : createVerifiedTokenCache({ ...DEFAULT_OPTIONS.cache, ...options.cache });

  async function resolveKey(header: JWTHeaderParameters) {
    if (typeof header.kid !== "string" || header.kid === "") {
      throw invalid("The Canva user token names no signing key.");
    }
    return keys.getKey(header.kid);
  }

  async function verifyUncached(token: string): Promise<{ identity: CanvaIdentity; exp?: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, resolveKey, {
        algorithms: ["RS256"],
        clockTolerance: leewaySeconds,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof errors.JWTExpired) {
        throw new ApiError("UNAUTHORIZED", "The Canva user token has expired.", {
          reason: "TOKEN_EXPIRED",
        });
      }
      throw invalid("The Canva user token is not valid.");
    }

    if (payload.aud !== appId) throw invalid("The Canva user token is for another app.");
    const { userId, brandId } = payload;
    if (userId === undefined || brandId === undefined) {
      throw invalid("The Canva user token lacks userId or brandId.");
    }
    if (!isCanvaId(userId) || !isCanvaId(brandId)) {
      throw invalid("The Canva user token's userId or brandId is not a Canva id.");
    }
    return {
      identity: { userId, brandId, billableActions: parseBillableActions(payload.billableActions) },
      exp: payload.exp,
    };
  }

  return {
    async verify(token) {
      const at = now();
      const hit = cache?.get(token, at);
      if (hit) return hit;
      const { identity, exp } = await verifyUncached(token);
      cache?.set(token, identity, exp, at);
      return identity;
    },
  };
}

// Keyed by a hash so the cache never holds usable tokens; expiry is checked against the injected
// clock rather than lru-cache's own timer. `hash` is the one-shot form: every /v1 request hashes
// its token, and building a Hash object costs it half as much again.
function createVerifiedTokenCache({ maxEntries, maxAgeMs }: Required<VerifiedTokenCacheOptions>) {
  const entries = new LRUCache<string, CachedIdentity>({ max: maxEntries });
  const keyOf = (token: string) => hash("sha256", token, "base64url");

  return {
    get(token: string, at: number): CanvaIdentity | undefined {
      const key = keyOf(token);
      const entry = entries.get(key);
      if (entry && at < entry.expiresAt) return entry.identity;
      if (entry) entries.delete(key);
      return undefined;
    },
    set(token: string, identity: CanvaIdentity, exp: number | undefined, at: number): void {
      // Never past the token's own exp (leeway is only for fresh checks), never for long.
      const expiresAt = Math.min(exp === undefined ? Infinity : exp * 1000, at + maxAgeMs);
      if (expiresAt > at) entries.set(keyOf(token), { identity, expiresAt });
    },
  };
}

function invalid(message: string): ApiError {
  return new ApiError("UNAUTHORIZED", message, { reason: "TOKEN_INVALID" });
}

// Canva's ids are short runs of visible ASCII (base64-like). Anything else — empty, a NUL or other
// control character, thousands of characters — is not one, and never reaches the database.
const CANVA_ID = /^[\x21-\x7e]{1,256}$/;

export function isCanvaId(value: unknown): value is string {
  return typeof value === "string" && CANVA_ID.test(value);
}

// A malformed claim grants nothing rather than locking the user out: billing fails closed.
function parseBillableActions(claim: unknown): string[] {
  if (!Array.isArray(claim)) return [];
  return claim.filter(isNonEmptyString);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
