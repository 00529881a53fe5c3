// `npm run support -- <command>`: the support CLI's process — configuration, the database (with
// migrations), storage and logger, then one command from support-commands.ts.
import { systemClock } from "../clock";
import { loadConfigOrExit } from "../config/config";
import { openConfiguredDatabase } from "../db/client";
import { createLogger } from "../logger";
import { createStorage } from "../storage";
import { runSupportCommand } from "./support-commands";

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  // Only what the commands need: the server's engine and HTTP stack stay out of a CLI run.
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    return await runSupportCommand(
      {
        config,
        db: database.db,
        storage: await createStorage(config),
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
