// The limiter on the in-process store: the shared bucket contract, plus its memory bound.
import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/clock";
import { createMemoryStore, createRateLimiter } from "../../src/rate-limit";
import { bucketContract, TEN_PER_MINUTE } from "./store-contract";

bucketContract("memory store", () => createMemoryStore());

describe("memory store", () => {
  it("is bounded: past maxKeys the least recently used bucket is forgotten (and starts full)", async () => {
    const limiter = createRateLimiter({
      store: createMemoryStore({ maxKeys: 2 }),
      clock: manualClock(),
      keySecret: "test-secret",
    });
    for (let i = 0; i < 10; i += 1) await limiter.take("a", TEN_PER_MINUTE);
    expect((await limiter.take("a", TEN_PER_MINUTE)).allowed).toBe(false);
    await limiter.take("b", TEN_PER_MINUTE);
    await limiter.take("c", TEN_PER_MINUTE);
    expect(await limiter.take("a", TEN_PER_MINUTE)).toMatchObject({ allowed: true, remaining: 9 });
  });
});
