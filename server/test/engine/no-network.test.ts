import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { fixturePath } from "./fixtures";

const run = promisify(execFile);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

it("loads its models and renders headshots with every outbound connection refused", async () => {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      here("./deny-network.mjs"),
      "--import",
      "tsx",
      here("./offline-run.ts"),
      fixturePath("astronaut.png"),
    ],
    { cwd: here("../.."), timeout: 60_000 },
  );
  const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
  expect(report).toMatchObject({ guarded: true, probeRefused: true, fetchRefused: true, engineAttempts: [] });
  expect(report.images).toHaveLength(4);
  for (const img of report.images) expect(img.bytes).toBeGreaterThan(10_000);
});
