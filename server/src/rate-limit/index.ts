// The rate limiter: token buckets (memory or PostgreSQL), the rateLimit middleware and the limits
// of SPEC §6.2 ready to mount.
export type { BucketTake, RateLimitStore } from "./bucket";
export {
  createRateLimiter,
  createRateLimitStore,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitStoreKind,
} from "./limiter";
export { createMemoryStore, type MemoryStoreOptions } from "./memory-store";
export { createPostgresStore, type PostgresStoreOptions } from "./postgres-store";
export { rateLimit, rateLimitedError, rateLimitHeaders, type RateLimitOptions } from "./rate-limit";
export {
  clientIp,
  countFailedAuthentication,
  limitCheckout,
  limitGeneration,
  limitPrivacy,
  limitSupportLogin,
} from "./limits";
