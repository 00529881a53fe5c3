// Logged errors never carry the values of a failed query (SPEC §9: logs hold no personal data).
import { Writable } from "node:stream";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger";

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
