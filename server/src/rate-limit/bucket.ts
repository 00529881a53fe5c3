// The token bucket both stores keep: its refill arithmetic and the store interface. A bucket holds
// at most `limit` tokens and regains `limit` of them per window, so a full bucket is a burst.
import type { RateLimit } from "../config/rate-limits";

/** What a store answers: whether a token was taken, and the tokens left (fractional). */
export interface BucketTake {
  allowed: boolean;
  tokens: number;
}

export interface RateLimitStore {
  /** Refills `key`'s bucket up to `now` and takes one token if a whole one is there, atomically. */
  take(key: string, limit: RateLimit, now: Date): Promise<BucketTake>;
}

/**
 * Tokens in a bucket `elapsedMs` after it held `tokens`. Multiplying before dividing keeps whole
 * refills exact in floating point (6 s of 10/min is 1 token, not 0.9999…). The PostgreSQL store
 * computes the same expression in SQL.
 */
export function refilled(tokens: number, elapsedMs: number, limit: RateLimit): number {
  return Math.min(limit.limit, tokens + (Math.max(0, elapsedMs) * limit.limit) / limit.windowMs);
}
