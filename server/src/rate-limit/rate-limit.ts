// rateLimit middleware: each request it is mounted on spends one request of a named limit from the
// caller's bucket; an empty bucket answers 429 RATE_LIMITED (SPEC §6.2). It limits whatever method
// it is mounted on, so mount it on writes (and the privacy export): reads are not limited.
import type { Context, MiddlewareHandler } from "hono";
import type { RateLimitName } from "../config/rate-limits";
import { ApiError } from "../http/api-error";
import type { HonoEnv } from "../http/env";
import type { RateLimitDecision, RateLimiter } from "./limiter";

export interface RateLimitOptions {
  /** Which RATE_LIMITS entry applies; also namespaces the key. */
  name: RateLimitName;
  /** Whose bucket (a user id, an IP); undefined lets the request through — nothing to key on. */
  key: (c: Context<HonoEnv>) => string | undefined;
  /** Defaults to the services' limiter. */
  limiter?: RateLimiter;
}

export const rateLimit = (options: RateLimitOptions): MiddlewareHandler<HonoEnv> => {
  const { name, key } = options;
  return async function rateLimit(c, next) {
    const subject = key(c);
    if (subject === undefined) return next();
    const { config, rateLimiter } = c.get("services");
    const decision = await (options.limiter ?? rateLimiter).take(
      `${name}:${subject}`,
      config.RATE_LIMITS[name],
    );
    if (!decision.allowed) throw rateLimitedError(decision);
    await next();
    // After next(): the route's response, or the error response onError made, is on c.res.
    for (const [header, value] of Object.entries(rateLimitHeaders(decision)))
      c.res.headers.set(header, value);
  };
};

/** The RateLimit-* headers (IETF httpapi draft): bucket size, whole requests left, seconds to full. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(Math.ceil(decision.resetMs / 1000)),
  };
}

/** The 429 of a refused decision, with Retry-After (whole seconds, at least 1). */
export function rateLimitedError(decision: RateLimitDecision): ApiError {
  const seconds = Math.max(1, decision.retryAfterSeconds);
  return new ApiError(
    "RATE_LIMITED",
    `Too many requests; try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
    { headers: { "Retry-After": String(seconds), ...rateLimitHeaders(decision) } },
  );
}
