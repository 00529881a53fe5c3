// Child process of `bench:engine`: peak RSS of a process that holds the engine and runs jobs,
// measured apart from the bench's own photo preparation and baseline. Prints one JSON line.
//   tsx bench/engine-rss.ts pipeline <photo> <jobs>  — one pipeline in this thread
//   tsx bench/engine-rss.ts pool <photo> <jobs> <n>  — a pool of n workers

import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { STYLE_IDS } from "@headshot/shared";
import { createStudioPipeline } from "../src/engine/pipeline";
import { createStudioEngine } from "../src/engine/pool";
import type { EngineRequest } from "../src/engine/types";

const [mode, file, jobs, workers] = process.argv.slice(2);
const request: EngineRequest = {
  photo: await readFile(file!),
  styles: [...STYLE_IDS],
  aspects: ["1:1", "4:5"],
};
/** This process's peak RSS in MB. Linux's VmHWM belongs to this program image; `maxRSS` would
 * start from the parent's RSS at fork (getrusage keeps it across exec). */
function rssMb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return Math.round(Number(hwm?.[1] ?? process.resourceUsage().maxRSS) / 1024);
}
const base = rssMb();
if (mode === "pipeline") {
  const pipeline = await createStudioPipeline();
  for (let i = 0; i < Number(jobs); i++) await pipeline.run(request);
} else {
  const engine = await createStudioEngine({ workers: Number(workers) });
  await Promise.all(Array.from({ length: Number(jobs) }, () => engine.generate(request)));
  await engine.close();
}
console.log(JSON.stringify({ base, peak: rssMb() }));
