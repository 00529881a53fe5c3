// The limiter on the shared PostgreSQL store, on PGlite and on real PostgreSQL: the bucket
// contract, concurrency across connections, pruning, and keys stored only as HMACs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { manualClock } from "../../src/clock";
import { rowsOf, type DatabaseHandle } from "../../src/db/client";
import { rateLimitBuckets } from "../../src/db/schema";
import { createPostgresStore, createRateLimiter } from "../../src/rate-limit";
import { createTestDatabase } from "../support/database";
import { bucketContract, TEN_PER_MINUTE } from "./store-contract";

let database: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});
// Each test starts from an empty table, so the contract's keys don't leak between tests.
afterEach(async () => {
  await database.db.delete(rateLimitBuckets);
});

bucketContract("postgres store", () => createPostgresStore({ db: database.db, retainMs: 60_000 }));

describe("postgres store", () => {
  it("two instances (two stores, one table) share each bucket, concurrently", async () => {
    const clock = manualClock();
    const instances = [1, 2].map(() =>
      createRateLimiter({
        store: createPostgresStore({ db: database.db, retainMs: 60_000 }),
        clock,
        keySecret: "shared-secret",
      }),
    );
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => instances[i % 2]!.take("user:shared", TEN_PER_MINUTE)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });

  it("stores neither the user id nor the IP: keys are HMACs", async () => {
    const limiter = createRateLimiter({
      store: createPostgresStore({ db: database.db, retainMs: 60_000 }),
      clock: manualClock(),
      keySecret: "test-secret",
    });
    await limiter.take("privacy:5f0c6a9e-user", TEN_PER_MINUTE);
    await limiter.take("auth_failure:203.0.113.7", TEN_PER_MINUTE);
    const keys = (await database.db.select().from(rateLimitBuckets)).map((row) => row.key);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).not.toMatch(/user|203\.0\.113|privacy|auth_failure/);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("prunes buckets idle for longer than the longest window (they are full anyway)", async () => {
    const clock = manualClock("2026-03-01T10:00:00Z");
    const limiter = createRateLimiter({
      store: createPostgresStore({ db: database.db, retainMs: 60_000, pruneEvery: 3 }),
      clock,
      keySecret: "test-secret",
    });
    await limiter.take("stale", TEN_PER_MINUTE);
    clock.advance(30_000);
    await limiter.take("recent", TEN_PER_MINUTE);
    clock.advance(31_000);
    await limiter.take("now", TEN_PER_MINUTE); // third take: prunes before taking
    const count = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from rate_limit_buckets`),
    );
    expect(count[0]?.n).toBe(2);
  });
});
