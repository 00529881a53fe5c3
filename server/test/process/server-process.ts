// Runs the real server as a child process for tests of start-up, configuration, signals and load:
// from source (src/main.ts through tsx's loader, as `npm start` does) or compiled (a build's
// main.js under plain node, as `npm run serve` does), both with the glibc malloc settings and
// --initial-old-space-size=64 (server/package.json).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  proc: ChildProcess;
  base: string;
  output(): string;
  exited: Promise<number | null>;
}

export interface RunOptions {
  /** A build's folder under server/ (buildServer): run its main.js with plain node. */
  compiled?: string;
}

/** `npm run build -w server` into `outdir`, a folder directly under server/ (dist-* is ignored). */
export function buildServer(outdir: string): void {
  const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--outdir", outdir], {
    cwd: SERVER_DIR,
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
}

export function runServer(env: Record<string, string>, options: RunOptions = {}): ServerProcess {
  // Below Linux's ephemeral range (32768–60999): a port picked there can already be the local end
  // of some other connection (a database client's), and the server then fails with EADDRINUSE.
  const port = env.PORT ?? String(20000 + Math.floor(Math.random() * 12000));
  // One process (tsx as a loader, not its CLI, which forks): a signal reaches the server itself.
  const entry = options.compiled ? [`${options.compiled}/main.js`] : ["--import", "tsx", "src/main.ts"];
  const proc = spawn(process.execPath, ["--initial-old-space-size=64", ...entry], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: os.tmpdir(),
      MALLOC_ARENA_MAX: "2",
      MALLOC_MMAP_THRESHOLD_: "131072",
      LOG_LEVEL: "warn",
      PORT: port,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout?.on("data", (d) => (output += d));
  proc.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

export async function waitUntilReady(server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.proc.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
    try {
      if ((await fetch(`${server.base}/readyz`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become ready:\n${server.output()}`);
}

export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill(signal);
  return server.exited;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopWithin(server: ServerProcess, graceMs: number) {
  const killer = setTimeout(() => server.proc.kill("SIGKILL"), graceMs);
  try {
    return await stopServer(server);
  } finally {
    clearTimeout(killer);
  }
}
