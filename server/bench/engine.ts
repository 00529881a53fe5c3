// `npm run bench:engine`: the studio engine against its targets (issue 3) on this machine — warm
// latency on a 12 MP JPEG, a same-process decode+encode baseline, pool throughput, cold start, RSS.

import os from "node:os";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import { STYLE_IDS } from "@headshot/shared";
import { createStudioPipeline } from "../src/engine/pipeline";
import { createStudioEngine } from "../src/engine/pool";
import type { EngineRequest, Stage } from "../src/engine/types";

const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const POOL_JOBS = Number(process.env.BENCH_POOL_JOBS ?? 16);
const FIXTURE = fileURLToPath(new URL("../test/fixtures/one_face_sample1_crop.jpg", import.meta.url));

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (v: number) => `${Math.round(v)} ms`;

/** Peak RSS of a fresh process holding the engine (bench/engine-rss.ts), in MB. */
async function childRss(args: string[]): Promise<{ base: number; peak: number }> {
  const script = fileURLToPath(new URL("./engine-rss.ts", import.meta.url));
  // The bench's own node flags (tsx's loader, heap settings) apply to the child too.
  const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, script, ...args], {
    env: process.env,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as { base: number; peak: number };
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

/** Page faults and system CPU (ms) this process spends in `fn`, added to `into`. */
async function counted<T>(into: { faults: number; sysMs: number }, fn: () => Promise<T>): Promise<T> {
  const before = process.resourceUsage();
  const value = await fn();
  const after = process.resourceUsage();
  into.faults += after.minorPageFault - before.minorPageFault;
  into.sysMs += (after.systemCPUTime - before.systemCPUTime) / 1000;
  return value;
}

const kernelRow = (
  name: string,
  k: { faults: number; sysMs: number },
  runs: number,
): [string, string, string] => [
  `${name}: page faults, system CPU per run`,
  `${Math.round(k.faults / runs)}, ${ms(k.sysMs / runs)}`,
  "",
];

async function main(): Promise<void> {
  // No clean-licence 12 MP portrait exists in our registries: upscale the fixture (3000×4000).
  const photo = await sharp(await readFile(FIXTURE))
    .resize(3000, 4000, { fit: "fill", kernel: "lanczos3" })
    .jpeg({ quality: 90 })
    .toBuffer();
  const request: EngineRequest = { photo, styles: [...STYLE_IDS], aspects: ["1:1"] };

  const [coldStart, pipeline] = await time(() => createStudioPipeline());
  await pipeline.run(request);

  // Baseline: what any service must do with this photo — decode it, encode six 1024² JPEGs.
  const decodeAndEncode = async () => {
    const { data } = await sharp(photo).raw().toBuffer({ resolveWithObject: true });
    const tile = data.subarray(0, 1024 * 1024 * 3);
    await Promise.all(
      STYLE_IDS.map(() =>
        sharp(tile, { raw: { width: 1024, height: 1024, channels: 3 } })
          .jpeg({ quality: 88, mozjpeg: false })
          .toBuffer(),
      ),
    );
  };
  await decodeAndEncode();

  // Engine and baseline runs alternate in blocks of three, so that the machine's speed drifting
  // during the bench (other tenants of its cores) moves both alike, while GC work an engine run
  // leaves behind can spill into a baseline run only at a block's edge.
  const engine: number[] = [];
  const baseline: number[] = [];
  const engineKernel = { faults: 0, sysMs: 0 };
  const baselineKernel = { faults: 0, sysMs: 0 };
  const stages: Partial<Record<Stage, number[]>> = {};
  for (let i = 0; i < 2 * RUNS; i++) {
    if (Math.floor(i / 3) % 2 === 0) {
      const [t, result] = await time(() => counted(engineKernel, () => pipeline.run(request)));
      engine.push(t);
      for (const [stage, v] of Object.entries(result.metadata.stageMs))
        (stages[stage as Stage] ??= []).push(v);
    } else {
      baseline.push((await time(() => counted(baselineKernel, decodeAndEncode)))[0]);
    }
  }
  const workers = os.availableParallelism();
  const [poolStart, pool] = await time(() => createStudioEngine({ workers }));
  await Promise.all(Array.from({ length: workers }, () => pool.generate(request)));
  const [poolTime] = await time(() =>
    Promise.all(Array.from({ length: POOL_JOBS }, () => pool.generate(request))),
  );
  await pool.close();

  // Memory in fresh processes (this one holds the bench's own buffers), both aspects per job.
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-engine-"));
  const photoFile = path.join(dir, "photo.jpg");
  await writeFile(photoFile, photo);
  const rssPipeline = await childRss(["pipeline", photoFile, String(RUNS)]);
  const rssPool = await childRss(["pool", photoFile, String(POOL_JOBS), String(workers)]);
  await rm(dir, { recursive: true });
  const perWorker = (rssPool.peak - rssPool.base) / workers;

  const p50 = percentile(engine, 50);
  const b50 = percentile(baseline, 50);
  const rows: [string, string, string][] = [
    ["warm latency p50 (6 × 1024², 12 MP JPEG)", ms(p50), "≤ 800 ms"],
    ["warm latency p95", ms(percentile(engine, 95)), ""],
    ["baseline p50 (decode + encode 6 JPEGs)", ms(b50), ""],
    ["baseline p95", ms(percentile(baseline, 95)), ""],
    ["engine / baseline (p50)", `${(p50 / b50).toFixed(2)}×`, "≤ 2.5×"],
    // The baseline decodes into a fresh 36 MB buffer: where this VM's page faults are slow, that
    // system time inflates the baseline and flatters the ratio. Printed so a run can be read.
    kernelRow("engine", engineKernel, engine.length),
    kernelRow("baseline", baselineKernel, baseline.length),
    [
      `throughput, pool of ${workers} (${POOL_JOBS} jobs)`,
      `${((POOL_JOBS * 1000) / poolTime).toFixed(2)} photos/s`,
      "≥ 2 photos/s",
    ],
    ["cold start, one pipeline (load + warm-up)", ms(coldStart), "≤ 3 s"],
    [`cold start, pool of ${workers} until ready`, ms(poolStart), ""],
    // A worker's share is what it adds to the process; Node, tsx and the modules (~125 MB) are
    // there once however many workers run.
    [
      "peak RSS, a process running one pipeline: before → peak",
      `${rssPipeline.base} → ${rssPipeline.peak} MB`,
      "",
    ],
    [`peak RSS, pool of ${workers}: process before → peak`, `${rssPool.base} → ${rssPool.peak} MB`, ""],
    [`peak RSS added per worker`, `${Math.round(perWorker)} MB`, "≤ 350 MB / worker"],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `\nstudio engine bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, ${RUNS} runs\n`,
  );
  console.log(`${"measure".padEnd(width)}  ${"value".padStart(14)}  target`);
  for (const [name, value, target] of rows)
    console.log(`${name.padEnd(width)}  ${value.padStart(14)}  ${target}`);
  console.log(
    `\nstage medians: ${Object.entries(stages)
      .map(([s, v]) => `${s} ${ms(percentile(v, 50))}`)
      .join(", ")}`,
  );
}

await main();
