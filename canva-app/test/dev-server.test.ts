// @vitest-environment node
// The panel's dev server in watch mode (`npm start`) answers its first request with the panel,
// built once before it listens.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { startDevServer } from "../scripts/dev-server.mjs";

const outDir = mkdtempSync(path.join(tmpdir(), "panel-dev-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it("serves the built panel from its first request, watching", async () => {
  const dev = await startDevServer({ port: 0, outDir, watch: true, log: () => {} });
  try {
    const app = await fetch(`${dev.url}/app.js`);
    expect(app.status).toBe(200);
    expect(await app.text()).toContain("Headshot");
    expect((await fetch(`${dev.url}/preview.js`)).status).toBe(200);
  } finally {
    await dev.close();
  }
}, 60_000);
