// The compiled server as production runs it (`npm run build`, then `npm run serve`: plain node on
// the build's main.js, no tsx): it starts, says ready while the engine warms, and makes headshots
// — its engine threads (the pool's workers, the HEIF decoder) are the build's JavaScript bundles
// started without a loader, and their models the build's ONNX files, so generations that succeed
// prove both.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse, ReadyResponse } from "@headshot/shared";
import { fixture, photoForm } from "../jobs/helpers";
import { buildServer, runServer, stopServer, waitUntilReady, type ServerProcess } from "./server-process";

const OUTDIR = `dist-test-${process.pid}`;
const SERVER_DIR = path.join(import.meta.dirname, "..", "..");
let dataDir: string;
let server: ServerProcess | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-compiled-"));
  buildServer(OUTDIR);
}, 120_000);

afterAll(async () => {
  if (server) await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(path.join(SERVER_DIR, OUTDIR), { recursive: true, force: true });
});

/** The packages left to node_modules (the build's externals) that a bundle loads before its code
 * runs: its static imports and re-exports, theirs (the chunks it shares with other bundles), and so
 * on; not what it imports when it needs it. Packages compiled into the build are not seen. */
function externalsLoadedUpFront(dir: string, bundle: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(path.join(dir, file), "utf8");
    for (const [, specifier] of code.matchAll(/^(?:import|export)\s*(?:[^"'`;]*?\sfrom\s*)?"([^"]+)"/gm)) {
      if (specifier!.startsWith("./")) visit(specifier!.slice(2));
      else if (!specifier!.startsWith("node:") && !builtinModules.includes(specifier!))
        packages.add(specifier!);
    }
  };
  visit(bundle);
  return [...packages].sort();
}

describe("the compiled server under plain node", () => {
  it("loads at start only what every start needs", () => {
    const dir = path.join(SERVER_DIR, OUTDIR);
    // What the engine's worker threads load, as a check that the walk sees imports.
    expect(externalsLoadedUpFront(dir, "engine-worker.js")).toEqual(["onnxruntime-node", "piscina", "sharp"]);
    // Not the S3 client, Stripe, PGlite, argon2 (support sign-in), sharp (the first upload's check)
    // or the HEIC decoder: each is loaded when configured or first used.
    expect(externalsLoadedUpFront(dir, "main.js")).toEqual([]);
    const rest = readFileSync(path.join(dir, "main.js"), "utf8").match(
      /import\("\.\/(run-server-\w+\.js)"\)/,
    )?.[1];
    expect(rest).toBeDefined();
    expect(externalsLoadedUpFront(dir, rest!)).toEqual(["piscina"]);
  });

  it("is ready, then makes headshots on its engine threads", async () => {
    server = runServer(
      { DATA_DIR: dataDir, GENERATION_CONCURRENCY: "1", LOG_LEVEL: "info" },
      { compiled: OUTDIR },
    );
    await waitUntilReady(server, 90_000);
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(["warming", "ready"]).toContain(ReadyResponse.parse(await ready.json()).engine);

    const { token } = (await (
      await fetch(`${server.base}/dev/token`, {
        method: "POST",
        body: JSON.stringify({ userId: "compiled", brandId: "build" }),
      })
    ).json()) as { token: string };
    const call = (p: string, init: RequestInit = {}) =>
      fetch(`${server!.base}${p}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      });
    await call("/v1/consent", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ photoProcessing: true, ageConfirmed18: true, policyVersion: "1" }),
    });
    // A JPEG, and a HEIC: that one is decoded in the engine's HEIF thread, another bundle.
    for (const photo of ["one_face_sample1_crop.jpg", "one_face_sample1_crop.heic"]) {
      const posted = await call("/v1/headshots", { method: "POST", body: photoForm(fixture(photo)) });
      expect(posted.status, photo).toBe(202);
      let job = JobResponse.parse(await posted.json()).job;
      const deadline = Date.now() + 120_000;
      while ((job.status === "queued" || job.status === "processing") && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        job = JobResponse.parse(await (await call(`/v1/headshots/${job.id}`)).json()).job;
      }
      expect(job.status, `${photo}\n${server.output()}`).toBe("succeeded");
      expect(job.outputs).toHaveLength(12);
      const { pathname, search } = new URL(job.outputs[0]!.url); // PUBLIC_BASE_URL says localhost
      const image = await fetch(`${server.base}${pathname}${search}`);
      expect(image.headers.get("Content-Type")).toBe("image/jpeg");
    }

    const warmed = await (await fetch(`${server.base}/readyz`)).json();
    expect(ReadyResponse.parse(warmed).engine).toBe("ready");
    expect(server.output()).toContain("studio engine ready");
  }, 240_000);
});
