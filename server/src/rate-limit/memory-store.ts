// The in-process bucket store: right for one process (the embedded PGlite default), where every
// request meets the same memory. Bounded, so a flood of distinct keys can't exhaust memory.
import { LRUCache } from "lru-cache";
import { refilled, type RateLimitStore } from "./bucket";

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export interface MemoryStoreOptions {
  /** Buckets kept; the least recently used is forgotten (and so starts full again). */
  maxKeys?: number;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  const buckets = new LRUCache<string, Bucket>({ max: options.maxKeys ?? 100_000 });
  return {
    // Synchronous inside, so no other take on this process interleaves.
    async take(key, limit, now) {
      const nowMs = now.getTime();
      const bucket = buckets.get(key);
      const tokens = bucket ? refilled(bucket.tokens, nowMs - bucket.updatedAtMs, limit) : limit.limit;
      // A refusal writes nothing, as in the PostgreSQL store: the refill is a function of time.
      if (tokens < 1) return { allowed: false, tokens };
      buckets.set(key, { tokens: tokens - 1, updatedAtMs: Math.max(nowMs, bucket?.updatedAtMs ?? nowMs) });
      return { allowed: true, tokens: tokens - 1 };
    },
  };
}
