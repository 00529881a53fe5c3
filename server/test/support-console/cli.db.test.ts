// The support CLI (SPEC §10): the same domain functions as the console, driven as a script would
// drive it — create-admin reading the password from stdin, list-overdue, export, restrict, erase,
// run-retention — plus the real entry point as a child process.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserExport } from "@headshot/shared";
import { runSupportCommand, type CliIo } from "../../src/cli/support-commands";
import { RETENTION_JOBS } from "../../src/privacy/retention";
import { auditLog, outputs, users } from "../../src/db/schema";
import { createRequest } from "../../src/support/requests";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { apiUser, seedJob } from "../privacy/seed";
import { loginAttempt } from "./console-client";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

async function cli(argv: string[], stdin = "") {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  const io: CliIo = {
    stdin: Readable.from([stdin]),
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  };
  const code = await runSupportCommand(h.services, argv, io);
  return { code, stdout, stderr };
}

describe(`support CLI on ${TEST_DRIVER}`, () => {
  it("create-admin reads the password from stdin when it is not a terminal; the console accepts it", async () => {
    const email = `cli-admin-${Date.now()}@example.com`;
    const created = await cli(["create-admin", email], "a long enough password\n");
    expect(created).toMatchObject({ code: 0, stdout: `Created admin account ${email}.\n` });
    expect((await loginAttempt(h, email, "a long enough password")).status).toBe(303);
    expect((await cli(["create-admin", email], "a long enough password\n")).code).toBe(1);
    const short = await cli(["create-support", `x${email}`], "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
  });

  it("list-overdue prints the open requests past their due date", async () => {
    const now = h.clock.now();
    const old = await createRequest(
      h.services.db,
      {
        type: "erasure",
        channel: "email",
        jurisdiction: "gdpr",
        receivedAt: new Date(now.getTime() - 40 * 86_400_000),
      },
      { type: "cli" },
      now,
    );
    await createRequest(
      h.services.db,
      { type: "access", channel: "email", jurisdiction: "gdpr", receivedAt: now },
      { type: "cli" },
      now,
    );
    const { code, stdout } = await cli(["list-overdue"]);
    expect(code).toBe(0);
    expect(stdout).toContain(old.id);
    expect(stdout).toContain("1 overdue request(s).");
  });

  it("exports, restricts and erases a user, auditing each as the CLI", async () => {
    const user = await apiUser(h);
    const job = await seedJob(h, user.id);

    const exported = await cli(["export", user.id]);
    expect(exported.code).toBe(0);
    expect(UserExport.parse(JSON.parse(exported.stdout)).outputs).toHaveLength(2);
    expect(JSON.parse(exported.stdout)).not.toHaveProperty("downloadUrl");

    expect((await cli(["restrict", user.id])).code).toBe(64);
    expect((await cli(["restrict", user.id, "--reason", "by email"])).stdout).toBe(
      "Processing restricted.\n",
    );
    const [row] = await h.services.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.restrictionReason).toBe("by email");
    expect((await cli(["unrestrict", user.id, "--reason", "resolved"])).code).toBe(0);

    expect((await cli(["erase", user.id])).code).toBe(64);
    const erased = await cli(["erase", user.id, "--yes"]);
    expect(erased.stdout).toMatch(/^Erased\. Receipt ER-/);
    expect(await h.services.db.select().from(users).where(eq(users.id, user.id))).toEqual([]);
    for (const key of job.keys) expect(await h.services.storage.get(key)).toBeUndefined();

    const actions = (await h.services.db.select().from(auditLog).where(eq(auditLog.actorType, "cli"))).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(["user.exported", "user.restricted", "user.unrestricted", "user.erased"]),
    );
    expect((await cli(["export", user.id])).code).toBe(1);
    expect((await cli(["export", "not-a-uuid"])).code).toBe(64);
  });

  it("run-retention runs the jobs now, all or the named ones", async () => {
    const user = await apiUser(h);
    const job = await seedJob(h, user.id, { createdAt: new Date(h.clock.now().getTime() - 30 * 86_400_000) });
    const named = await cli(["run-retention", "expired-outputs"]);
    expect(named.stdout).toMatch(/^expired-outputs: \d+ deleted\n$/);
    expect(await h.services.db.select().from(outputs).where(eq(outputs.jobId, job.jobId))).toEqual([]);
    const all = await cli(["run-retention"]);
    expect(all.stdout.trim().split("\n")).toHaveLength(RETENTION_JOBS.length);
    expect((await cli(["run-retention", "nope"])).code).toBe(64);
    expect((await cli(["frobnicate"])).code).toBe(64);
    expect((await cli(["help"])).stderr).toContain("Usage: npm run support");
  });
});

describe.runIf(TEST_DRIVER === "pglite")("support CLI entry point", () => {
  it("runs as `tsx src/cli/support.ts` against the embedded database", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-cli-"));
    const serverDir = fileURLToPath(new URL("../..", import.meta.url));
    // One command is enough to prove the entry point: each run boots PGlite on disk.
    const run = (args: string[], input: string) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ["--import", "tsx", "src/cli/support.ts", ...args],
          { cwd: serverDir, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", NODE_ENV: "test" } },
          (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
        );
        child.stdin!.end(input);
      });
    try {
      const created = await run(["create-admin", "first@example.com"], "piped password 123\n");
      expect(created).toEqual({ code: 0, stdout: "Created admin account first@example.com.\n" });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
