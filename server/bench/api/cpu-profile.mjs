// `--import` this (BENCH_NODE_OPTIONS="--import ./bench/api/cpu-profile.mjs") to write a V8 CPU
// profile of the process to $CPU_PROFILE_DIR when it exits: Node 20 refuses --cpu-prof in
// NODE_OPTIONS, and the serve script may start node through a launcher.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.start");
process.on("exit", () => {
  // A main-thread session answers synchronously, so the profile is written before the exit.
  session.post("Profiler.stop", (err, result) => {
    if (err) return;
    const dir = process.env.CPU_PROFILE_DIR ?? ".";
    writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
