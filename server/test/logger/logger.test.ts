// Logged errors never carry the values of a failed query (SPEC §9: logs hold no personal data);
// standard output is written once per turn of the event loop, and nothing is lost at exit.
import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { createLogger, turnBuffered } from "../../src/logger";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger("info", sink), text: () => lines.join("") };
}

describe("error logging", () => {
  it("drops the parameters of a failed query, from the message and from the driver's cause", () => {
    const { logger, text } = capture();
    const cause = Object.assign(new Error("duplicate key value"), { parameters: ["bob@example.com"] });
    const err = new DrizzleQueryError(
      "select * from purchases where customer_email = $1",
      ["bob@example.com"],
      cause,
    );
    logger.error({ err }, "query failed");
    const out = text();
    expect(out).toContain("select * from purchases where customer_email = $1");
    expect(out).toContain("duplicate key value");
    expect(out).not.toContain("bob@example.com");
  });
});

describe("standard output", () => {
  it("writes the lines of one turn of the event loop together, once the turn ends", async () => {
    const writes: string[] = [];
    const logger = createLogger("info", turnBuffered({ write: (text: string) => writes.push(text) }));
    logger.info({ route: "/v1/me" }, "request");
    logger.info({ route: "/healthz" }, "request");
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    expect(
      writes[0]!
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).route),
    ).toEqual(["/v1/me", "/healthz"]);
  });

  it("writes at once when asked to flush", () => {
    const writes: string[] = [];
    const logger = createLogger("info", turnBuffered({ write: (text: string) => writes.push(text) }));
    logger.warn("shutting down");
    logger.flush();
    expect(writes.join("")).toContain("shutting down");
  });

  it("writes what is still waiting when the process exits at once", () => {
    const logger = fileURLToPath(new URL("../../src/logger.ts", import.meta.url));
    const script = `import { createLogger } from ${JSON.stringify(logger)};
      createLogger("info").info({ last: true }, "the last line"); process.exit(3);`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ last: true, msg: "the last line" });
  });
});
