// The bucket store shared by every instance: one row per bucket in `rate_limit_buckets`, refilled
// and spent by a single atomic upsert, so concurrent instances can never spend a token twice.
import { lt, sql, type SQL } from "drizzle-orm";
import type { RateLimit } from "../config/rate-limits";
import { rowsOf, type Database } from "../db/client";
import { rateLimitBuckets } from "../db/schema";
import type { RateLimitStore } from "./bucket";

export interface PostgresStoreOptions {
  db: Database;
  /**
   * The longest window of any limit. A bucket untouched for that long is full again, which is
   * what a missing row means too, so such rows are deleted (the table would otherwise keep one row
   * per IP that ever failed to authenticate).
   */
  retainMs: number;
  /** Every this many takes, this instance deletes the rows older than `retainMs`. */
  pruneEvery?: number;
}

export function createPostgresStore(options: PostgresStoreOptions): RateLimitStore {
  const { db, retainMs, pruneEvery = 1000 } = options;
  let takes = 0;
  return {
    async take(key, limit, now) {
      takes += 1;
      if (takes % pruneEvery === 0) {
        await db
          .delete(rateLimitBuckets)
          .where(lt(rateLimitBuckets.updatedAt, new Date(now.getTime() - retainMs)));
      }
      const at = sql`${now.toISOString()}::timestamptz`;
      // ON CONFLICT … WHERE locks the row and re-reads its latest version before deciding, so the
      // refill and the take are one step. A refused take updates nothing and returns no row; the
      // second branch then reports the tokens there are (as of the statement's snapshot, which is
      // only used for Retry-After).
      const result = await db.execute(sql`
        with taken as (
          insert into rate_limit_buckets as b (key, tokens, updated_at)
          values (${key}, ${limit.limit - 1}::float8, ${at})
          on conflict (key) do update
            set tokens = ${available(sql`b.tokens`, sql`b.updated_at`, at, limit)} - 1,
                updated_at = greatest(b.updated_at, ${at})
            where ${available(sql`b.tokens`, sql`b.updated_at`, at, limit)} >= 1
          returning tokens
        )
        select true as allowed, tokens from taken
        union all
        select false as allowed, ${available(sql`r.tokens`, sql`r.updated_at`, at, limit)} as tokens
          from rate_limit_buckets r
          where r.key = ${key} and not exists (select 1 from taken)
      `);
      const [row] = rowsOf<{ allowed: boolean; tokens: number }>(result);
      // No row at all: the bucket was created by another instance after this statement's snapshot
      // and is empty; the take was refused.
      return row ? { allowed: row.allowed, tokens: Number(row.tokens) } : { allowed: false, tokens: 0 };
    },
  };
}

/** `refilled()` of bucket.ts in SQL; a clock behind the row's (another instance) refills nothing. */
function available(tokens: SQL, updatedAt: SQL, at: SQL, limit: RateLimit): SQL {
  const elapsedMs = sql`greatest(0, extract(epoch from (${at} - ${updatedAt})) * 1000)::float8`;
  return sql`least(${limit.limit}::float8, ${tokens} + ${elapsedMs} * ${limit.limit}::float8 / ${limit.windowMs}::float8)`;
}
