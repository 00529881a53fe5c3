// The sustained-load test alone (`npm test` runs it after the other suites, see vitest.config.ts):
// two server processes on the PostgreSQL that TEST_DATABASE_URL or DATABASE_URL names.
import { defineConfig } from "vitest/config";
import { LOAD_TEST } from "./vitest.config";

export default defineConfig({
  test: { include: [LOAD_TEST], testTimeout: 60_000, hookTimeout: 180_000, pool: "forks" },
});
