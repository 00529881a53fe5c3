// The behaviour both bucket stores promise, written once and run against each (memory in
// limiter.test.ts, PostgreSQL in postgres-store.db.test.ts): burst, refill, per-key isolation.
import { beforeEach, describe, expect, it } from "vitest";
import { manualClock } from "../../src/clock";
import type { RateLimit } from "../../src/config/rate-limits";
import { createRateLimiter, type RateLimiter, type RateLimitStore } from "../../src/rate-limit";

export const TEN_PER_MINUTE: RateLimit = { limit: 10, windowMs: 60_000 };

export function bucketContract(name: string, makeStore: () => RateLimitStore | Promise<RateLimitStore>) {
  describe(`${name}: token bucket`, () => {
    let clock: ReturnType<typeof manualClock>;
    let limiter: RateLimiter;

    beforeEach(async () => {
      clock = manualClock("2026-03-01T10:00:00Z");
      limiter = createRateLimiter({ store: await makeStore(), clock, keySecret: "test-secret" });
    });

    async function takeTimes(key: string, n: number) {
      const decisions = [];
      for (let i = 0; i < n; i += 1) decisions.push(await limiter.take(key, TEN_PER_MINUTE));
      return decisions;
    }

    it("allows a burst of `limit` at once, then refuses", async () => {
      const decisions = await takeTimes("user:a", 11);
      expect(decisions.slice(0, 10).every((d) => d.allowed)).toBe(true);
      expect(decisions.map((d) => d.remaining).slice(0, 10)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(decisions[10]).toEqual({
        allowed: false,
        limit: 10,
        remaining: 0,
        resetMs: 60_000,
        retryAfterSeconds: 6,
      });
    });

    it("reports the first take: 9 left, full again in 6 s", async () => {
      expect(await limiter.take("user:a", TEN_PER_MINUTE)).toEqual({
        allowed: true,
        limit: 10,
        remaining: 9,
        resetMs: 6_000,
        retryAfterSeconds: 0,
      });
    });

    it("refills one token per window/limit, not before", async () => {
      await takeTimes("user:a", 10);
      clock.advance(5_999);
      const early = await limiter.take("user:a", TEN_PER_MINUTE);
      expect(early.allowed).toBe(false);
      expect(early.retryAfterSeconds).toBe(1);
      clock.advance(1);
      expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(true);
      expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(false);
    });

    it("refills to the limit and no further", async () => {
      await takeTimes("user:a", 10);
      clock.advance(10 * 60_000);
      const decisions = await takeTimes("user:a", 11);
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    });

    it("refusals spend nothing: a client retrying early still gets in on time", async () => {
      await takeTimes("user:a", 10);
      for (let i = 0; i < 5; i += 1) {
        clock.advance(1_000);
        expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(false);
      }
      clock.advance(1_000);
      expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(true);
    });

    it("keeps keys apart", async () => {
      await takeTimes("user:a", 10);
      expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(false);
      expect(await limiter.take("user:b", TEN_PER_MINUTE)).toMatchObject({ allowed: true, remaining: 9 });
    });

    it("a clock behind the bucket's (another instance) refills nothing", async () => {
      await takeTimes("user:a", 10);
      clock.advance(-30_000);
      expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(false);
      clock.advance(30_000 + 6_000);
      expect((await limiter.take("user:a", TEN_PER_MINUTE)).allowed).toBe(true);
    });

    it("50 concurrent takes with limit 10: exactly 10 allowed", async () => {
      const decisions = await Promise.all(
        Array.from({ length: 50 }, () => limiter.take("user:burst", TEN_PER_MINUTE)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    });

    it("a limit of 0 refuses everything", async () => {
      expect(await limiter.take("user:a", { limit: 0, windowMs: 60_000 })).toMatchObject({
        allowed: false,
        retryAfterSeconds: 60,
      });
    });
  });
}
