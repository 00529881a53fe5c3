// Two projects: every test on PGlite, and the database suites (*.db.test.ts) a second time on the
// real PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set (SPEC §13). The sustained-load
// test has a config of its own (vitest.load.config.ts), run after these: it saturates both cores
// for a minute, which would skew this suite's timing tests and they its memory and latencies.
import { configDefaults, defineConfig } from "vitest/config";

export const LOAD_TEST = "test/process/sustained-load.test.ts";

const postgresUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const shared = { testTimeout: 60_000, hookTimeout: 120_000, pool: "forks" as const };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: "pglite",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, LOAD_TEST],
          env: { TEST_DB_DRIVER: "pglite" },
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                ...shared,
                name: "postgres",
                include: ["test/**/*.db.test.ts"],
                env: { TEST_DB_DRIVER: "postgres", TEST_DATABASE_URL: postgresUrl },
                globalSetup: ["test/support/postgres-global-setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
