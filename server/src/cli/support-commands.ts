// The support CLI's commands (SPEC §10): the same domain functions as the console and the routes,
// for scripts and for the first admin account. Returns an exit code; never calls process.exit.
import type { Readable, Writable } from "node:stream";
import { isUuid } from "@headshot/shared";
import type { Clock } from "../clock";
import type { Config } from "../config/config";
import type { Database } from "../db/client";
import type { Logger } from "../logger";
import { writeAudit } from "../privacy/audit";
import { eraseUser } from "../privacy/erasure";
import { exportUser } from "../privacy/export";
import { restrictUser, unrestrictUser } from "../privacy/restriction";
import { RETENTION_JOBS, runRetention } from "../privacy/retention";
import type { Storage } from "../storage/storage";
import { AccountError, createSupportUser } from "../support/accounts";
import { daysLeft } from "../support/deadlines";
import { listOverdueRequests } from "../support/requests";
import { ApiError } from "../http/api-error";
import { PasswordMismatch, readPassword } from "./password-prompt";

export interface CliDeps {
  config: Config;
  db: Database;
  storage: Storage;
  logger: Logger;
  clock: Clock;
}

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

export const USAGE = `Usage: npm run support -- <command>

  create-admin <email>            create an admin account (password prompted, or one line on stdin)
  create-support <email>          create a support account (same)
  list-overdue                    open privacy requests past their due date
  export <user-ref>               print a user's export (JSON) to stdout
  erase <user-ref> --yes          erase a user now and print the receipt id
  restrict <user-ref> --reason R  restrict processing for a user
  unrestrict <user-ref> --reason R
  run-retention [job ...]         run retention now (jobs: ${RETENTION_JOBS.map((j) => j.name).join(", ")})

<user-ref> is the account reference (internal id) shown in the console's user lookup.`;

const CLI = { type: "cli" } as const;

export async function runSupportCommand(deps: CliDeps, argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const userRef = () => {
    const ref = args[0];
    if (!ref || !isUuid(ref))
      throw new UsageError("Give the user's reference (a UUID from the user lookup).");
    return ref.toLowerCase();
  };

  try {
    switch (command) {
      case "create-admin":
      case "create-support": {
        const email = args[0];
        if (!email) throw new UsageError(`${command} needs an email address.`);
        const password = await readPassword(io);
        const role = command === "create-admin" ? "admin" : "support";
        const account = await createSupportUser(deps.db, { email, password, role }, CLI, deps.clock.now());
        out(`Created ${account.role} account ${account.email}.`);
        return 0;
      }
      case "list-overdue": {
        const now = deps.clock.now();
        const overdue = await listOverdueRequests(deps.db, now);
        for (const r of overdue) {
          out(
            `${r.id}  ${r.type.padEnd(13)} ${r.status.padEnd(12)} due ${r.dueAt.toISOString().slice(0, 10)}  overdue ${-daysLeft(r.dueAt, now)} d`,
          );
        }
        out(`${overdue.length} overdue request(s).`);
        return 0;
      }
      case "export": {
        const id = userRef();
        const now = deps.clock.now();
        const document = await deps.db.transaction(async (tx) => {
          const doc = await exportUser({ db: tx, config: deps.config }, id, now);
          await writeAudit(tx, { actor: CLI, action: "user.exported", at: now, subjectUserId: id });
          return doc;
        });
        out(JSON.stringify(document, null, 2));
        return 0;
      }
      case "erase": {
        const id = userRef();
        if (!args.includes("--yes")) throw new UsageError("Erasure can't be undone: add --yes to confirm.");
        const receipt = await eraseUser(deps, id, { actor: CLI, now: deps.clock.now() });
        out(`Erased. Receipt ${receipt.receiptId} at ${receipt.erasedAt.toISOString()}.`);
        return 0;
      }
      case "restrict":
      case "unrestrict": {
        const id = userRef();
        const reason = flag("--reason");
        if (!reason) throw new UsageError(`${command} needs --reason "<why>".`);
        const change = { userId: id, reason, actor: CLI, now: deps.clock.now() };
        await (command === "restrict" ? restrictUser(deps.db, change) : unrestrictUser(deps.db, change));
        out(command === "restrict" ? "Processing restricted." : "Restriction lifted.");
        return 0;
      }
      case "run-retention": {
        const results = await runRetention(deps, deps.clock.now(), args.length ? args : undefined);
        for (const [job, deleted] of Object.entries(results)) out(`${job}: ${deleted} deleted`);
        return 0;
      }
      default:
        io.stderr.write(
          `${command && command !== "help" ? `Unknown command "${command}".\n\n` : ""}${USAGE}\n`,
        );
        return command && command !== "help" ? 64 : 0;
    }
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof AccountError ||
      err instanceof ApiError ||
      err instanceof PasswordMismatch
    ) {
      io.stderr.write(`${err.message}\n`);
      return err instanceof UsageError ? 64 : 1;
    }
    if (err instanceof Error && err.message.startsWith("unknown retention job")) {
      io.stderr.write(`${err.message}\n`);
      return 64;
    }
    throw err;
  }
}

export class UsageError extends Error {}
