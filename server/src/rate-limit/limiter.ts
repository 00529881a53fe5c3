// The rate limiter (SPEC §6.2, §9): one token bucket per key, kept in memory or in PostgreSQL.
// Hand-written rather than rate-limiter-flexible, which reads the system clock (our rules take an
// injected Clock) and whose stores are not one atomic statement that runs on PGlite as well.
import { createHmac } from "node:crypto";
import type { Clock } from "../clock";
import type { RateLimit, RateLimits } from "../config/rate-limits";
import type { DatabaseHandle } from "../db/client";
import type { RateLimitStore } from "./bucket";
import { createMemoryStore } from "./memory-store";
import { createPostgresStore } from "./postgres-store";

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket size (requests per window). */
  limit: number;
  /** Whole requests left now. */
  remaining: number;
  /** Until the bucket is full again. */
  resetMs: number;
  /** 0 when allowed; otherwise seconds until the next request would be. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Spends one request of `key`'s bucket, if there is one to spend. */
  take(key: string, limit: RateLimit): Promise<RateLimitDecision>;
}

export interface RateLimiterOptions {
  store: RateLimitStore;
  clock: Clock;
  /**
   * Keys are stored as HMACs under this secret, so buckets hold no user id or IP address (an
   * erased user leaves nothing behind; SPEC §9).
   */
  keySecret: string;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { store, clock, keySecret } = options;
  return {
    async take(key, limit) {
      // RATE_LIMITS may set a count of 0: nothing is ever allowed, and there is no bucket to keep.
      if (limit.limit < 1) {
        const seconds = Math.ceil(limit.windowMs / 1000);
        return {
          allowed: false,
          limit: 0,
          remaining: 0,
          resetMs: limit.windowMs,
          retryAfterSeconds: seconds,
        };
      }
      const storedKey = createHmac("sha256", keySecret).update(key).digest("base64url");
      const { allowed, tokens } = await store.take(storedKey, limit, clock.now());
      const msPerToken = limit.windowMs / limit.limit;
      return {
        allowed,
        limit: limit.limit,
        remaining: Math.floor(tokens),
        resetMs: Math.ceil((limit.limit - tokens) * msPerToken),
        retryAfterSeconds: allowed ? 0 : Math.ceil(((1 - tokens) * msPerToken) / 1000),
      };
    },
  };
}

export type RateLimitStoreKind = "memory" | "postgres";

/**
 * The store for this deployment: memory for one process on PGlite, PostgreSQL when instances share
 * a database (RATE_LIMIT_STORE overrides either way).
 */
export function createRateLimitStore(
  kind: RateLimitStoreKind | undefined,
  database: DatabaseHandle,
  limits: RateLimits,
): RateLimitStore {
  if ((kind ?? (database.driver === "postgres" ? "postgres" : "memory")) === "memory") {
    return createMemoryStore();
  }
  const retainMs = Math.max(...Object.values(limits).map((l) => l.windowMs));
  return createPostgresStore({ db: database.db, retainMs });
}
