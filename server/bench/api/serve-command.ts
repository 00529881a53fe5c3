// How the bench starts the server: the `serve` script of server/package.json, run by the shell in
// server/ as `npm run serve` runs it (without npm's own process). One place: when the script
// changes (a compiled build's `node dist/main.js`), the bench follows.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));

export function serveScript(): string {
  const pkg = JSON.parse(readFileSync(path.join(SERVER_DIR, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts.serve;
  if (!script) throw new Error("server/package.json has no serve script");
  return script;
}

/** Starts `serve` in its own process group (so the bench can stop it and whatever it forks). */
export function startServe(env: Record<string, string>): ChildProcess {
  const bins = [path.join(SERVER_DIR, "node_modules/.bin"), path.join(SERVER_DIR, "../node_modules/.bin")];
  return spawn("sh", ["-c", serveScript()], {
    cwd: SERVER_DIR,
    detached: true,
    env: {
      PATH: [...bins, process.env.PATH ?? ""].join(path.delimiter),
      HOME: process.env.HOME ?? "/tmp",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** The process among `root` and its descendants that holds the most memory: the server itself
 * (`sh` and a `tsx` launcher are small). */
export function serverPid(root: number): number {
  let best = { pid: root, rss: rssBytes(root) };
  for (const pid of descendants(root)) {
    const rss = rssBytes(pid);
    if (rss > best.rss) best = { pid, rss };
  }
  return best.pid;
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let children = "";
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const child of children.split(" ").filter(Boolean).map(Number)) {
      out.push(child, ...descendants(child));
    }
  }
  return out;
}

/** VmRSS (or VmHWM, the peak) of a process from /proc, in bytes; 0 once it is gone. */
export function rssBytes(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
