// The plans of the hot reads, asked of the generic plan (the one a prepared query runs) on one user
// with 300 jobs of ten live outputs each:
// - Every poll and history page reads a job's live outputs (jobs.ts, jobViewJson). PostgreSQL
//   must find them as one range of one index, whatever else the table holds: with an index on
//   job_id alone it ANDs the job's outputs with a scan of every live output in the database, a
//   cost that grows with all users' outputs.
// - A poll (jobs.ts, pollsQuery) must find its job by primary key: asked to match the owner in the
//   join, PostgreSQL walked the user's jobs index instead, a cost that grows with their history.
import { Placeholder, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASPECT_IDS, CURRENT_POLICY_VERSION, STYLE_IDS } from "@headshot/shared";
import { rowsOf, type DatabaseHandle } from "../../src/db/client";
import { recordConsent } from "../../src/domain/consent";
import { ensureUser } from "../../src/domain/users";
import { createJob, pollsQuery } from "../../src/jobs/jobs";
import { createTestDatabase, TEST_DRIVER } from "../support/database";

const JOBS = 300;
const OUTPUTS_PER_JOB = 10;

let handle: DatabaseHandle;
const jobIds: string[] = [];

beforeAll(async () => {
  handle = await createTestDatabase();
  const { db } = handle;
  const user = await ensureUser(
    db,
    { brandId: "brand-plan", userId: "user-plan" },
    { freeCredits: JOBS, subjectSecret: "test-secret-test-secret-test-secret" },
  );
  const consent = {
    policyVersion: CURRENT_POLICY_VERSION,
    photoProcessing: true,
    ageConfirmed18: true,
  } as const;
  await recordConsent(db, user.id, consent, new Date());
  const spec = { styles: [...STYLE_IDS], aspects: [...ASPECT_IDS], engine: "studio" as const };
  for (let i = 0; i < JOBS; i++) {
    const { job } = await createJob(db, { user, ...spec, credits: 1, instanceId: "plan" }, new Date());
    jobIds.push(job.id);
  }
  // Every output live (the retention sweep deletes the rest), each job's written together and
  // expiring together, a moment after the previous job's: a busy minute's jobs. On this data, with
  // job_id indexed alone, the plan is the AND of both indexes.
  await db.execute(sql`
    insert into outputs (id, job_id, user_id, style, aspect, width, height, mime_type, byte_size,
      storage_key, thumb_storage_key, thumb_width, thumb_height, thumb_byte_size, expires_at)
    select gen_random_uuid(), j.id, j.user_id, 'classic', '1:1', 1024, 1024, 'image/jpeg', 1,
      'k/' || n, 't/' || n, 256, 256, 1, now() + interval '30 days' + j.nth * interval '1 millisecond'
    from (select id, user_id, row_number() over (order by created_at, id) nth from jobs) j
    cross join lateral generate_series(1, ${OUTPUTS_PER_JOB}) n
    order by j.nth, n`);
  await db.execute(sql`analyze outputs`);
}, 60_000);
afterAll(async () => {
  await handle?.close();
});

/** The names of the indexes a plan reads (EXPLAIN's JSON form). */
function indexesOf(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(indexesOf);
  if (typeof plan !== "object" || plan === null) return [];
  return Object.entries(plan).flatMap(([key, value]) =>
    key === "Index Name" ? [String(value)] : indexesOf(value),
  );
}

/** The generic plan of `statement` (SQL with $1…) run with `args` (SQL literals), as JSON. */
async function genericPlan(statement: string, args: string[]): Promise<unknown> {
  return handle.db.transaction(async (tx) => {
    await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
    await tx.execute(sql.raw(`prepare hot_read as ${statement}`));
    const [row] = rowsOf<{ "QUERY PLAN": unknown }>(
      await tx.execute(sql.raw(`explain (format json) execute hot_read(${args.join(", ")})`)),
    );
    await tx.execute(sql`deallocate hot_read`);
    const explained = row!["QUERY PLAN"];
    return typeof explained === "string" ? (JSON.parse(explained) as unknown) : explained;
  });
}

describe(`hot reads on ${TEST_DRIVER}`, () => {
  it("find a job's live outputs as one range of one index, not an AND with every live output", async () => {
    const plan = await genericPlan(
      "select o.id from outputs o where o.job_id = $1::uuid and o.expires_at > $2::timestamptz order by o.created_at, o.id",
      [`'${jobIds[0]}'`, "now()"],
    );
    expect(indexesOf(plan)).toEqual(["outputs_job_expires_idx"]);
  });

  it("find a polled job by its primary key, not among all its user's jobs", async () => {
    const { sql: statement, params } = pollsQuery(handle.db).getQuery();
    const literals: Record<string, string> = {
      brandIds: "'{brand-plan}'::text[]",
      userIds: "'{user-plan}'::text[]",
      jobIds: `'{${jobIds[JOBS / 2]}}'::uuid[]`,
      now: "now()",
    };
    const args = params.map((p) => {
      const literal = p instanceof Placeholder ? literals[p.name] : undefined;
      if (!literal)
        throw new Error(`the poll's statement has a parameter this test doesn't bind: ${String(p)}`);
      return literal;
    });
    const indexes = indexesOf(await genericPlan(statement, args));
    expect(indexes).toContain("jobs_pkey");
    expect(indexes).not.toContain("jobs_user_created_idx");
    expect(indexes).toContain("outputs_job_expires_idx");
  });
});
