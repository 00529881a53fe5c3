// Anonymous funnel counts (SPEC §9, seed 000): daily counters that increment, count every
// concurrent increment, and have nowhere to put a user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { rowsOf, type DatabaseHandle } from "../../src/db/client";
import { funnelCounts } from "../../src/db/schema";
import { countFunnelEvent } from "../../src/domain/funnel";
import { createTestDatabase } from "../support/database";

let database: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

async function counts() {
  const rows = await database.db.select().from(funnelCounts);
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.event}`, r.count]));
}

describe("countFunnelEvent", () => {
  it("increments per UTC day and event", async () => {
    const day1 = new Date("2026-04-01T23:59:59Z");
    const day2 = new Date("2026-04-02T00:00:00Z");
    await countFunnelEvent(database.db, "upload_started", day1);
    await countFunnelEvent(database.db, "upload_started", day1);
    await countFunnelEvent(database.db, "generation_succeeded", day1);
    await countFunnelEvent(database.db, "upload_started", day2);
    await countFunnelEvent(database.db, "generation_failed", day2);
    expect(await counts()).toMatchObject({
      "2026-04-01 upload_started": 2,
      "2026-04-01 generation_succeeded": 1,
      "2026-04-02 upload_started": 1,
      "2026-04-02 generation_failed": 1,
    });
  });

  it("counts every one of 50 concurrent increments", async () => {
    const at = new Date("2026-05-01T12:00:00Z");
    await Promise.all(
      Array.from({ length: 50 }, () => countFunnelEvent(database.db, "generation_succeeded", at)),
    );
    expect((await counts())["2026-05-01 generation_succeeded"]).toBe(50);
  });

  it("works inside a transaction", async () => {
    const at = new Date("2026-06-01T12:00:00Z");
    await database.db.transaction((tx) => countFunnelEvent(tx, "upload_started", at));
    expect((await counts())["2026-06-01 upload_started"]).toBe(1);
  });

  it("the table has exactly day, event and count: no user column, nothing per user", async () => {
    const columns = rowsOf<{ column_name: string }>(
      await database.db.execute(
        sql`select column_name from information_schema.columns where table_name = 'funnel_counts' order by column_name`,
      ),
    ).map((c) => c.column_name);
    expect(columns).toEqual(["count", "day", "event"]);
  });
});
