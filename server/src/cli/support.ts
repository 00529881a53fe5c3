// `npm run support -- <command>`: the support CLI's process — configuration, the database (with
// migrations), storage and logger, then one command from support-commands.ts.
import path from "node:path";
import { systemClock } from "../clock";
import { ConfigError, loadConfig } from "../config/config";
import { openDatabase } from "../db/client";
import { createLogger } from "../logger";
import { createFsStorage } from "../storage/fs-storage";
import { runSupportCommand } from "./support-commands";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78; // EX_CONFIG
    }
    throw err;
  }
  // Only what the commands need: the server's engine and HTTP stack stay out of a CLI run. The
  // storage is built as services.ts builds it, so both see the same files.
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: path.join(config.dataDir, "pglite"),
  });
  try {
    await database.migrate();
    return await runSupportCommand(
      {
        config,
        db: database.db,
        storage: createFsStorage(path.join(config.dataDir, "files")),
        logger: createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, process.stderr),
        clock: systemClock,
      },
      process.argv.slice(2),
      { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    );
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
