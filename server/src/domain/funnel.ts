// Anonymous funnel counts (SPEC §9, seed 000): one counter per (UTC day, event), incremented in
// place. Nothing here names a user, so the counts can't become anyone's history.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { funnelCounts } from "../db/schema";

export const FUNNEL_EVENTS = ["upload_started", "generation_succeeded", "generation_failed"] as const;
export type FunnelEvent = (typeof FUNNEL_EVENTS)[number];

/** Adds one to today's (UTC) count of `event`; concurrent calls all count (one atomic upsert). */
export async function countFunnelEvent(db: DbOrTx, event: FunnelEvent, now: Date): Promise<void> {
  await db
    .insert(funnelCounts)
    .values({ day: now.toISOString().slice(0, 10), event, count: 1 })
    .onConflictDoUpdate({
      target: [funnelCounts.day, funnelCounts.event],
      set: { count: sql`${funnelCounts.count} + 1` },
    });
}
