// The browser tests' plumbing: the real backend and the local preview page as child processes,
// a free port, waiting for a server to answer, and stopping a child (SIGTERM, then SIGKILL after
// 10 s).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface Stack {
  backendUrl: string;
  previewUrl: string;
  /** Everything the backend printed so far. */
  backendLog(): string;
  stop(): Promise<void>;
}

/**
 * The backend from source (development auth, PGlite in a fresh DATA_DIR, the studio engine) with
 * `env` on top, and the preview page built against it. Each stack has its own embedded database,
 * whatever DATABASE_URL the test run has: browser suites run side by side, and on a shared
 * PostgreSQL they would share rows and the per-IP rate limits of one 127.0.0.1.
 */
export async function startStack(env: Record<string, string>): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "headshot-e2e-"));
  const [backendPort, previewPort] = [await freePort(), await freePort()];
  const backendUrl = `http://localhost:${backendPort}`;
  const previewUrl = `http://localhost:${previewPort}`;
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _testDb, ...inherited } = process.env;
  let log = "";
  const backend = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
    cwd: REPO,
    env: {
      ...inherited,
      NODE_ENV: "development",
      PORT: String(backendPort),
      PUBLIC_BASE_URL: backendUrl,
      DATA_DIR: dataDir,
      DEV_PREVIEW_ORIGIN: previewUrl,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  backend.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  backend.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const preview = spawn(
    process.execPath,
    [
      "scripts/dev-server.mjs",
      "--port",
      String(previewPort),
      "--backend",
      backendUrl,
      "--out",
      path.join(dataDir, "dist"),
      "--once",
    ],
    { cwd: path.join(REPO, "canva-app"), stdio: "ignore" },
  );
  const children = [backend, preview];
  const stopAll = async () => {
    // The backend drains and stops its engine on SIGTERM; stopChild gives it 10 s before SIGKILL.
    await Promise.all(children.map(stopChild));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitForHttp(`${backendUrl}/healthz`), waitForHttp(`${previewUrl}/preview.js`)]);
  } catch (error) {
    await stopAll();
    throw new Error(`${(error as Error).message}\nbackend printed:\n${log.slice(-4000)}`);
  }
  return { backendUrl, previewUrl, backendLog: () => log, stop: stopAll };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
