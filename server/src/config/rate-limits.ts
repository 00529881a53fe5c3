// Rate limits (SPEC §6.2), configured by RATE_LIMITS as "name=count/period" pairs, e.g.
// "generation=100/min,auth_failure=1000/min". Unnamed limits keep their defaults.

export const RATE_LIMIT_NAMES = [
  "generation",
  "checkout",
  "privacy",
  "auth_failure",
  "support_login_ip",
] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

export interface RateLimit {
  /** Requests allowed per window (also the burst size). */
  limit: number;
  windowMs: number;
}
export type RateLimits = Record<RateLimitName, RateLimit>;

const MINUTE = 60_000;
export const DEFAULT_RATE_LIMITS: RateLimits = {
  generation: { limit: 10, windowMs: MINUTE },
  checkout: { limit: 10, windowMs: MINUTE },
  privacy: { limit: 10, windowMs: MINUTE },
  auth_failure: { limit: 60, windowMs: MINUTE },
  support_login_ip: { limit: 5, windowMs: MINUTE },
};

const PERIODS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  min: MINUTE,
  h: 60 * MINUTE,
  hour: 60 * MINUTE,
};

export function parseRateLimits(raw: string): RateLimits {
  const limits: RateLimits = structuredClone(DEFAULT_RATE_LIMITS);
  for (const pair of raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z_]+)=(\d+)\/([a-z]+)$/.exec(pair);
    const name = match?.[1] as RateLimitName | undefined;
    const windowMs = match ? PERIODS[match[3]!] : undefined;
    if (!match || !name || !RATE_LIMIT_NAMES.includes(name) || !windowMs) {
      throw new Error(
        `"${pair}" is not name=count/period with name in ${RATE_LIMIT_NAMES.join(", ")} and period s, min or h`,
      );
    }
    limits[name] = { limit: Number(match[2]), windowMs };
  }
  return limits;
}
