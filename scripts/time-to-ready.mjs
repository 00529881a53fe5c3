// Start-up time of a command that serves HTTP: runs it, polls URLs until every one answers 200,
// prints the milliseconds that took, then stops the command (SIGTERM to its process group, SIGKILL
// if it is still there 20 s later) and waits until every process of the group has exited (`npm`
// exits before the server it started: the next run must not start beside a server shutting down). Repeats `--runs` times and prints the median (README "Start-up").
//
//   node scripts/time-to-ready.mjs [--runs 5] [--url http://127.0.0.1:3001/readyz]... -- npm run serve
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    url: { type: "string", multiple: true, default: ["http://127.0.0.1:3001/readyz"] },
    "timeout-s": { type: "string", default: "120" },
  },
  allowPositionals: true,
});
if (positionals.length === 0) {
  console.error("usage: node scripts/time-to-ready.mjs [--runs N] [--url URL]... -- COMMAND [ARG...]");
  process.exit(64);
}

async function answers(url) {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function once() {
  const started = performance.now();
  const child = spawn(positionals[0], positionals.slice(1), { stdio: "ignore", detached: true });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const deadline = started + Number(values["timeout-s"]) * 1000;
  let ms;
  while (performance.now() < deadline && child.exitCode === null) {
    if ((await Promise.all(values.url.map(answers))).every(Boolean)) {
      ms = performance.now() - started;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  const killer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 20_000);
  await exited;
  while (groupAlive(child.pid)) await new Promise((r) => setTimeout(r, 50));
  clearTimeout(killer);
  if (ms === undefined) throw new Error(`not ready: ${positionals.join(" ")} (exit ${child.exitCode})`);
  return ms;
}

const times = [];
for (let i = 0; i < Number(values.runs); i++) {
  const ms = await once();
  times.push(ms);
  console.log(`run ${i + 1}: ${Math.round(ms)} ms`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(`median ${Math.round(sorted[Math.floor((sorted.length - 1) / 2)])} ms of ${times.length} runs`);
