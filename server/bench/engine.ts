// `npm run bench:engine`: the studio engine against its targets on this machine — warm latency on
// a 12 MP JPEG against a same-process decode+encode baseline, pool throughput, cold start, RSS.

import os from "node:os";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import { ASPECTS, STYLE_IDS, type Aspect } from "@headshot/shared";
import { createStudioPipeline, type StudioPipeline } from "../src/engine/pipeline";
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

interface Comparison {
  engine: number[];
  baseline: number[];
  engineKernel: { faults: number; sysMs: number };
  baselineKernel: { faults: number; sysMs: number };
  stages: Partial<Record<Stage, number[]>>;
}

/** `RUNS` engine runs and `RUNS` baseline runs, alternating in blocks of three, so that the
 * machine's speed drifting during the bench (other tenants of its cores) moves both alike, while
 * GC work an engine run leaves behind can spill into a baseline run only at a block's edge. */
async function compare(
  pipeline: StudioPipeline,
  request: EngineRequest,
  baselineRun: () => Promise<void>,
): Promise<Comparison> {
  await baselineRun();
  const c: Comparison = {
    engine: [],
    baseline: [],
    engineKernel: { faults: 0, sysMs: 0 },
    baselineKernel: { faults: 0, sysMs: 0 },
    stages: {},
  };
  for (let i = 0; i < 2 * RUNS; i++) {
    if (Math.floor(i / 3) % 2 === 0) {
      const [t, result] = await time(() => counted(c.engineKernel, () => pipeline.run(request)));
      c.engine.push(t);
      for (const [stage, v] of Object.entries(result.metadata.stageMs))
        (c.stages[stage as Stage] ??= []).push(v);
    } else {
      c.baseline.push((await time(() => counted(c.baselineKernel, baselineRun)))[0]);
    }
  }
  return c;
}

async function main(): Promise<void> {
  // No clean-licence 12 MP portrait exists in our registries: upscale the fixture (3000×4000).
  const photo = await sharp(await readFile(FIXTURE))
    .resize(3000, 4000, { fit: "fill", kernel: "lanczos3" })
    .jpeg({ quality: 90 })
    .toBuffer();
  // The issue's workload: every style in both aspects (12 outputs); and what the panel asks for,
  // one aspect (6 outputs). Each against a baseline that decodes the photo and encodes the same
  // JPEGs.
  const request: EngineRequest = { photo, styles: [...STYLE_IDS], aspects: ["1:1", "4:5"] };
  const oneAspect: EngineRequest = { ...request, aspects: ["1:1"] };

  const [coldStart, pipeline] = await time(() => createStudioPipeline());
  await pipeline.run(request);

  // Baseline: what any service must do with this photo — decode it, encode each output JPEG.
  const decodeAndEncode = (aspects: Aspect[]) => async () => {
    const { data } = await sharp(photo).raw().toBuffer({ resolveWithObject: true });
    await Promise.all(
      aspects.flatMap((aspect) => {
        const { width, height } = ASPECTS[aspect];
        const tile = data.subarray(0, width * height * 3);
        return STYLE_IDS.map(() =>
          sharp(tile, { raw: { width, height, channels: 3 } })
            .jpeg({ quality: 88, mozjpeg: false })
            .toBuffer(),
        );
      }),
    );
  };
  const full = await compare(pipeline, request, decodeAndEncode(request.aspects));
  const single = await compare(pipeline, oneAspect, decodeAndEncode(oneAspect.aspects));
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

  const ratio = (c: Comparison) => `${(percentile(c.engine, 50) / percentile(c.baseline, 50)).toFixed(2)}×`;
  const rows: [string, string, string][] = [
    ["warm latency p50 (6 styles × 2 aspects, 12 MP JPEG)", ms(percentile(full.engine, 50)), "≤ 800 ms"],
    ["warm latency p95", ms(percentile(full.engine, 95)), ""],
    ["baseline p50 (decode + encode the 12 JPEGs)", ms(percentile(full.baseline, 50)), ""],
    ["baseline p95", ms(percentile(full.baseline, 95)), ""],
    ["engine / baseline (p50), 12 outputs", ratio(full), "≤ 2.5×"],
    // The baseline decodes into a fresh 36 MB buffer: where this VM's page faults are slow, that
    // system time inflates the baseline and flatters the ratio. Printed so a run can be read.
    kernelRow("engine", full.engineKernel, full.engine.length),
    kernelRow("baseline", full.baselineKernel, full.baseline.length),
    [
      "one aspect (what the panel asks): p50, baseline p50",
      `${ms(percentile(single.engine, 50))}, ${ms(percentile(single.baseline, 50))}`,
      "",
    ],
    ["engine / baseline (p50), 6 outputs", ratio(single), ""],
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
    `\nstage medians, 12 outputs: ${Object.entries(full.stages)
      .map(([s, v]) => `${s} ${ms(percentile(v, 50))}`)
      .join(", ")}`,
  );
}

await main();
