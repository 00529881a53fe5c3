// Two projects: every test on PGlite, and the database suites (*.db.test.ts) a second time on the
// real PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set (SPEC §13).
import { defineConfig } from "vitest/config";

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
