// Test databases: one fresh, migrated database per call, on the driver the vitest project names
// (TEST_DB_DRIVER=pglite|postgres). PGlite clones a migrated template; PostgreSQL creates a
// database from a migrated template database made by the global setup.
import { createHash, randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "../../src/db/client";

export type TestDriver = "pglite" | "postgres";
export const TEST_DRIVER: TestDriver = process.env.TEST_DB_DRIVER === "postgres" ? "postgres" : "pglite";
/**
 * Named after this checkout, so suites of two checkouts (worktrees) on one server don't drop and
 * recreate each other's template, with each other's migrations, mid-run.
 */
export const POSTGRES_TEMPLATE_DB = `headshot_test_template_${createHash("sha256")
  .update(import.meta.url)
  .digest("hex")
  .slice(0, 12)}`;

let pgliteTemplate: Promise<PGlite> | undefined;

async function migratedPglite(): Promise<PGlite> {
  const client = await PGlite.create();
  const handle = await openDatabase({ pglite: client });
  await handle.migrate();
  return client;
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL or DATABASE_URL must be set for the postgres project");
  return url;
}

/**
 * Why a test that needs a real PostgreSQL server can't run here (no URL configured, or the server
 * doesn't answer), or undefined when it can. On a laptop with only Node such tests skip.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) return "neither TEST_DATABASE_URL nor DATABASE_URL is set";
  const probe = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await probe`select 1`;
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${new URL(url).host} does not answer (${(err as Error).message})`;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

/**
 * An empty database on the test server, named `${prefix}_<random>`, for server processes that
 * migrate it themselves; `drop()` removes it (connections and all).
 */
export async function createEmptyDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = testDatabaseUrl();
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(base, name),
    async drop() {
      const dropper = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh migrated database; `close()` drops it. */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (TEST_DRIVER === "pglite") {
    pgliteTemplate ??= migratedPglite();
    const clone = await (await pgliteTemplate).clone();
    return openDatabase({ pglite: clone as PGlite });
  }
  const base = testDatabaseUrl();
  const name = `headshot_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${POSTGRES_TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const handle = await openDatabase({ databaseUrl: withDatabase(base, name), maxConnections: 20 });
  return {
    ...handle,
    async close() {
      await handle.close();
      const dropper = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
