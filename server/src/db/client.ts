// Opens the database: PostgreSQL through postgres.js when DATABASE_URL is set, otherwise an
// embedded, file-backed PGlite (SPEC §3.1). Both speak the same drizzle schema and migrations.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { fromRepo } from "../locations";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The driver-neutral drizzle database every domain module takes. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle, usable wherever a Database is. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Tx;

export interface DatabaseHandle {
  db: Database;
  driver: "pglite" | "postgres";
  /** Applies the committed migrations (idempotent; serialised across instances on PostgreSQL). */
  migrate(): Promise<void>;
  /** True when the database answers and every committed migration is applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

// Resolved from this module's URL, not the working directory: workspaces run from elsewhere.
export const MIGRATIONS_FOLDER = fromRepo("drizzle");

// Any fixed number shared by every instance; it serialises concurrent start-ups' migrations.
const MIGRATION_LOCK_ID = 727_001;

/** The database this configuration names: DATABASE_URL, else PGlite under DATA_DIR/pglite. */
export function openConfiguredDatabase(config: { DATABASE_URL?: string | undefined; dataDir: string }) {
  return openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: path.join(config.dataDir, "pglite") });
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Directory for PGlite's files; omitted → in-memory PGlite (tests). */
  pgliteDir?: string | undefined;
  /** A ready PGlite instance (tests clone a migrated template). */
  pglite?: PGlite;
  /** Max pool size for postgres.js. */
  maxConnections?: number;
}

// Each driver is loaded only by the process that uses it (start-up time: PGlite alone is ~0.2 s).
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  let client = options.pglite;
  if (!client) {
    const { PGlite } = await import("@electric-sql/pglite");
    if (options.pgliteDir) mkdirSync(options.pgliteDir, { recursive: true });
    client = await PGlite.create(options.pgliteDir ? { dataDir: options.pgliteDir } : {});
  }
  const pglite = client;
  const db = drizzlePglite({ client: pglite, schema }) as unknown as Database;
  return {
    db,
    driver: "pglite",
    migrate: () =>
      migratePglite(drizzlePglite({ client: pglite, schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
    ready: () => migrationsApplied(db),
    close: () => pglite.close(),
  };
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
  const [{ default: postgres }, { drizzle: drizzlePostgres }, { migrate: migratePostgres }] =
    await Promise.all([
      import("postgres"),
      import("drizzle-orm/postgres-js"),
      import("drizzle-orm/postgres-js/migrator"),
    ]);
  const client = postgres(url, { max, onnotice: () => {} });
  const pgDb = drizzlePostgres({ client, schema });
  const db = pgDb as unknown as Database;
  return {
    db,
    driver: "postgres",
    async migrate() {
      // One connection holds the advisory lock for the whole migration.
      const lockClient = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(drizzlePostgres({ client: lockClient, schema }), {
          migrationsFolder: MIGRATIONS_FOLDER,
        });
      } finally {
        await lockClient.end();
      }
    },
    ready: () => migrationsApplied(db),
    close: () => client.end({ timeout: 5 }),
  };
}

let expectedMigrations: number | undefined;

async function migrationsApplied(db: Database): Promise<boolean> {
  try {
    if (expectedMigrations === undefined) {
      const { readFile } = await import("node:fs/promises");
      const journal = JSON.parse(await readFile(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
        entries: unknown[];
      };
      expectedMigrations = journal.entries.length;
    }
    const rows = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return Number(rowsOf<{ n: number }>(rows)[0]?.n ?? 0) >= expectedMigrations;
  } catch {
    return false;
  }
}

/** `db.execute` returns an array on postgres.js and `{rows}` on PGlite; this reads either. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
