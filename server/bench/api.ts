// `npm run bench:api`: what users feel, measured from outside. The real server process (started by
// the `serve` script, api/serve-command.ts) and a bare Hono "hello" (api/bare-hono.mjs) each run
// in a process of their own, and autocannon, in a third (api/load.mjs), loads them with 50
// connections, each one user polling their own job as 50 waiting panels do: the bare hello,
// measured before the first route and after each one, is the baseline every route is a ratio of
// (the two runs either side of it). On PostgreSQL when DATABASE_URL is set (a scratch database
// made for the run and dropped after), PGlite otherwise. Each row also shows the
// CPU time a request cost the server, PostgreSQL (when it runs on this machine) and the load
// generator, from /proc: on two shared cores their sum is what bounds req/s.
//
// Then memory: the server's resident set (VmRSS from /proc) after 20 and after 200 jobs through the
// real studio engine (a small photo, so the jobs are quick: the check is the server's own memory
// per job), counted after a warm-up of 200 jobs in which the heaps grow to their working size,
// and its peak while 8 photos of ~15 MB upload at once.
//
// BENCH_SECONDS (default 10) per measurement, BENCH_JOBS (default 200) for the leak check and
// BENCH_WARMUP_JOBS (default 200) before it,
// BENCH_MEMORY=0 skips the memory checks, BENCH_ROUTES=<regex> measures only the server's rows whose
// name matches. To profile the server, pass node its flags:
// `BENCH_MEMORY=0 CPU_PROFILE_DIR=/tmp BENCH_NODE_OPTIONS="--import ./bench/api/cpu-profile.mjs"
// npm run bench:api` (a profile per node process of the serve script; the largest is the server).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import sharp from "sharp";
import { JobResponse } from "@headshot/shared";
import { loadConfig } from "../src/config/config";
import { openDatabase, type Database } from "../src/db/client";
import { databaseNow, heartbeat, HEARTBEAT_INTERVAL_MS } from "../src/jobs/instances";
import { rssBytes, serverPid, serveScript, startServe } from "./api/serve-command";
import { SEED_INSTANCE, seedUser, type SeededUser } from "./api/seed";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 50;
const LEAK_JOBS = Number(process.env.BENCH_JOBS ?? 200);
const LEAK_FIRST = 20;
const LEAK_STEPS = 6;
/** Jobs before the leak check counts: the server's heaps and malloc arenas grow to their working
 * size over its first ~180 jobs and then hold (README, Performance). */
const LEAK_WARMUP = Number(process.env.BENCH_WARMUP_JOBS ?? 200);
if ((LEAK_WARMUP > 0 && LEAK_WARMUP < LEAK_FIRST) || LEAK_JOBS <= LEAK_FIRST) {
  throw new Error(`BENCH_WARMUP_JOBS must be 0 or at least ${LEAK_FIRST}, BENCH_JOBS over ${LEAK_FIRST}`);
}
const UPLOADS = 8;
const UPLOAD_BYTES_MAX = 15 * 1024 * 1024;
const RSS_PEAK_BOUND = 700 * 1024 * 1024;
const RSS_GROWTH_BOUND = 1.1;
const MEMORY = process.env.BENCH_MEMORY !== "0";
/** Only the server's rows whose name matches this (a regular expression), to profile one route. */
const ROUTES = new RegExp(process.env.BENCH_ROUTES ?? "");

const here = fileURLToPath(new URL(".", import.meta.url));
const LOAD = path.join(here, "api/load.mjs");
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const SMALL_PHOTO = readFileSync(path.join(here, "../test/fixtures/one_face_sample1_crop.jpg"));

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU per request, µs: the server, PostgreSQL (when local), the load generator. */
  cpu: { server: number; postgres: number | undefined; load: number };
}

const port = () => 20000 + Math.floor(Math.random() * 12000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function waitFor(url: string, proc: ChildProcess, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${url}: the process exited (${proc.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** One connection's requests: its path and headers (a user's token and job). */
interface Client {
  path: string;
  headers?: Record<string, string>;
}

/** autocannon in its own process (api/load.mjs), each connection one client; its JSON summary.
 * Not spawnSync: this process's own event loop keeps running, so the sockets its fetches keep
 * alive see the server close them while the load runs, rather than fail on their next use. */
async function loadRun(origin: string, clients: Client[], seconds: number) {
  const spec = JSON.stringify({ origin, connections: CONNECTIONS, seconds, clients });
  const child = spawn(process.execPath, [LOAD, spec], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (status !== 0) throw new Error(`the load generator failed: ${err}`);
  return JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
}

/** CPU time (user + system) of the processes, in µs, from /proc. */
function cpuMicros(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return (ticks * 1e6) / CLOCK_TICKS;
}

/** CPU time of this process's waited-for children (the load generator), in µs. */
function childrenCpuMicros(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / CLOCK_TICKS;
}

/** PostgreSQL's server processes on this machine (none when it runs elsewhere, or for PGlite,
 * which runs inside the server process) — all of them: whatever else uses that PostgreSQL during
 * the run counts too. */
function postgresPids(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function measure(
  name: string,
  origin: string,
  clients: Client[],
  serverPids: number[],
): Promise<Result> {
  await loadRun(origin, clients, WARMUP_SECONDS);
  const pg = postgresPids();
  const before = { server: cpuMicros(serverPids), postgres: cpuMicros(pg), load: childrenCpuMicros() };
  const r = await loadRun(origin, clients, SECONDS);
  if (r.non2xx || r.errors || r.timeouts) {
    throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  const per = (micros: number) => micros / r.requests.total;
  return {
    name,
    perSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpu: {
      server: per(cpuMicros(serverPids) - before.server),
      postgres: pg.length ? per(cpuMicros(pg) - before.postgres) : undefined,
      load: per(childrenCpuMicros() - before.load),
    },
  };
}

async function devToken(base: string, user: { userId: string; brandId: string }): Promise<string> {
  const res = await fetch(`${base}/dev/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(user),
  });
  if (!res.ok) throw new Error(`POST /dev/token: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function upload(base: string, token: string, photo: Uint8Array): Promise<string> {
  const form = new FormData();
  form.set("photo", new Blob([photo as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), "photo.jpg");
  const res = await fetch(`${base}/v1/headshots`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 202) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
  return JobResponse.parse(await res.json()).job.id;
}

async function waitForJob(base: string, token: string, id: string): Promise<string> {
  for (;;) {
    const res = await fetch(`${base}/v1/headshots/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    const { job } = JobResponse.parse(await res.json());
    if (job.status !== "queued" && job.status !== "processing") return job.status;
    await sleep(100);
  }
}

/** Median VmRSS over a short quiet spell: one sample is at the mercy of a collection. */
async function settledRss(pid: number): Promise<number> {
  await sleep(2_000);
  const samples: number[] = [];
  for (let i = 0; i < 11; i++) {
    samples.push(rssBytes(pid));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[5]!;
}

/** A real portrait, enlarged with grain until its JPEG is just under the upload limit. */
async function fifteenMegabytePhoto(): Promise<Buffer> {
  const width = 4300;
  const height = Math.round((width * 10) / 7);
  const grain = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#808080",
      noise: { type: "gaussian", mean: 128, sigma: 12 },
    },
  })
    .raw()
    .toBuffer();
  const photo = await sharp(SMALL_PHOTO)
    .resize(width, height)
    .composite([{ input: grain, raw: { width, height, channels: 3 }, blend: "overlay" }])
    .jpeg({ quality: 100 })
    .toBuffer();
  if (photo.byteLength > UPLOAD_BYTES_MAX) throw new Error(`the big photo is ${photo.byteLength} bytes`);
  return photo;
}

async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const name = `headshot_bench_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(base, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    },
  };
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  // The serve script runs in a process group of its own (a shell, maybe a launcher, the server).
  process.kill(-proc.pid!, "SIGTERM");
  return exited;
}

/**
 * The leak check, two jobs at a time (the engine's workers on two cores): RSS after LEAK_FIRST and
 * after LEAK_JOBS jobs counted once LEAK_WARMUP jobs have run, with readings on the way (a leak
 * grows with every job, memory that settles stops growing). The same ratio over the warm-up's own
 * jobs is printed too. Returns the counted growth.
 */
async function leakCheck(base: string, pid: number, maker: SeededUser): Promise<number> {
  const token = await devToken(base, maker);
  const started = Date.now();
  let done = 0;
  const statuses = new Map<string, number>();
  const readings: { jobs: number; rss: number }[] = [];
  const runJobsAndRead = async (until: number) => {
    await Promise.all(
      [0, 1].map(async () => {
        while (done < until) {
          done += 1;
          const status = await waitForJob(base, token, await upload(base, token, SMALL_PHOTO));
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const rss = await settledRss(pid);
    readings.push({ jobs: until, rss });
    return rss;
  };
  const span = async (from: number, to: number) => {
    const first = await runJobsAndRead(from + LEAK_FIRST);
    for (let step = 1; step < LEAK_STEPS; step++) {
      await runJobsAndRead(from + LEAK_FIRST + Math.round(((to - LEAK_FIRST) * step) / LEAK_STEPS));
    }
    return { first, last: await runJobsAndRead(from + to) };
  };
  const cold = LEAK_WARMUP > 0 ? await span(0, LEAK_WARMUP) : undefined;
  const { first, last } = await span(LEAK_WARMUP, LEAK_JOBS);
  console.log(`RSS after jobs — ${readings.map((r) => `${r.jobs}: ${MB(r.rss)}`).join(", ")}`);
  if (cold) {
    console.log(
      `warm-up: RSS after ${LEAK_FIRST} jobs ${MB(cold.first)}, after ${LEAK_WARMUP} ${MB(cold.last)}: ` +
        `${(cold.last / cold.first).toFixed(2)}× (the heaps growing to their working size)`,
    );
  }
  console.log(
    `leak check: RSS after ${LEAK_FIRST} jobs ${MB(first)}, after ${LEAK_JOBS} ${MB(last)}` +
      `${LEAK_WARMUP > 0 ? ` (counted after the warm-up's ${LEAK_WARMUP})` : ""}: ` +
      `${(last / first).toFixed(2)}× (bound ${RSS_GROWTH_BOUND}×) — real studio engine, 700×1000 photo, ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s, jobs ${[...statuses].map(([s, n]) => `${s} ×${n}`).join(", ")}`,
  );
  return last / first;
}

/** Peak RSS while UPLOADS photos of ~15 MB upload at once, sampled every 20 ms until every job
 * has ended. */
async function uploadPeak(base: string, pid: number, uploaders: SeededUser[], perUser: number) {
  const big = await fifteenMegabytePhoto();
  let peak = rssBytes(pid);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, rssBytes(pid));
      await sleep(20);
    }
  })();
  const statuses = await Promise.all(
    uploaders.flatMap((u) =>
      Array.from({ length: perUser }, async () => {
        const token = await devToken(base, u);
        return waitForJob(base, token, await upload(base, token, big));
      }),
    ),
  );
  sampling = false;
  await sampler;
  console.log(
    `peak RSS with ${statuses.length} concurrent ${(big.byteLength / 1024 / 1024).toFixed(1)} MB uploads: ` +
      `${MB(peak)} (bound ${MB(RSS_PEAK_BOUND)}; VmHWM since start ${MB(rssBytes(pid, "VmHWM"))}) — ` +
      `jobs ${statuses.join(", ")}`,
  );
  return peak;
}

/** Beats for an instance now and every HEARTBEAT_INTERVAL_MS; clear the timer to stop. */
async function keepAlive(db: Database, instanceId: string): Promise<NodeJS.Timeout> {
  const beat = async () => heartbeat(db, instanceId, await databaseNow(db));
  await beat();
  return setInterval(
    () => beat().catch((err: Error) => console.error(`the seed instance's heartbeat failed: ${err.message}`)),
    HEARTBEAT_INTERVAL_MS,
  );
}

/** A measurement and, for a route, its baseline: the bare hello's req/s either side of it. */
interface Row {
  result: Result;
  baseline?: number;
}

function printTable(rows: Row[]) {
  const micros = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(0)).padStart(6);
  const bareRuns = rows.filter((r) => r.baseline === undefined);
  const bareMean = bareRuns.reduce((sum, r) => sum + r.result.perSecond, 0) / bareRuns.length;
  console.log(
    "target".padEnd(52),
    "req/s".padStart(8),
    "p50 ms".padStart(7),
    "p99 ms".padStart(7),
    "× bare".padStart(7),
    "  CPU µs/request: server".padStart(25),
    "postgres".padStart(9),
    "load".padStart(6),
  );
  for (const { result: r, baseline } of rows) {
    console.log(
      r.name.padEnd(52),
      r.perSecond.toFixed(0).padStart(8),
      String(r.p50).padStart(7),
      String(r.p99).padStart(7),
      (r.perSecond / (baseline ?? bareMean)).toFixed(2).padStart(7),
      micros(r.cpu.server).padStart(25),
      micros(r.cpu.postgres).padStart(9),
      micros(r.cpu.load),
    );
  }
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-bench-api-"));
  const scratch = await scratchDatabase();
  const serverPort = port();
  const env: Record<string, string> = {
    PORT: String(serverPort),
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    // Only the leak check's one user generates this often.
    RATE_LIMITS: "generation=100000/min",
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    // The engine's worker count, to measure the budget per instance of each setting.
    ...(process.env.GENERATION_CONCURRENCY
      ? { GENERATION_CONCURRENCY: process.env.GENERATION_CONCURRENCY }
      : {}),
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    ...(process.env.CPU_PROFILE_DIR ? { CPU_PROFILE_DIR: process.env.CPU_PROFILE_DIR } : {}),
  };
  const config = loadConfig({ ...env, NODE_ENV: "development" });
  const database = await openDatabase(
    scratch ? { databaseUrl: scratch.url } : { pgliteDir: path.join(dataDir, "pglite") },
  );
  await database.migrate();
  // One reader per connection: each connection is one panel, polling its own user's job.
  const readers: SeededUser[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    readers.push(
      await seedUser(
        database.db,
        config,
        { userId: `bench-reader-${i}`, brandId: "bench-brand" },
        { credits: 0, finishedJobs: 5, waitingJob: true },
      ),
    );
  }
  const maker = await seedUser(
    database.db,
    config,
    { userId: "bench-maker", brandId: "bench-brand" },
    { credits: LEAK_WARMUP + LEAK_JOBS, finishedJobs: 0 },
  );
  const uploaders: SeededUser[] = [];
  for (let i = 0; i < UPLOADS / config.UPLOADS_PER_USER; i++) {
    uploaders.push(
      await seedUser(
        database.db,
        config,
        { userId: `bench-uploader-${i}`, brandId: "bench-brand" },
        { credits: config.UPLOADS_PER_USER, finishedJobs: 0 },
      ),
    );
  }
  // The rendering jobs belong to the seed's instance. On PostgreSQL this process beats for it, as
  // the instance rendering them would, so the server's sweep leaves them be. PGlite allows one
  // process per directory (the server opens it next, and sweeps them as failed: the row says so).
  const seedBeats = scratch ? await keepAlive(database.db, SEED_INSTANCE) : undefined;
  if (!scratch) await database.close();

  const barePort = port();
  const bare = spawn(process.execPath, [path.join(here, "api/bare-hono.mjs")], {
    env: { ...process.env, PORT: String(barePort) },
    stdio: "ignore",
  });
  const server = startServe(env);
  let serverErrors = "";
  server.stderr?.on("data", (d) => (serverErrors += d));
  const base = `http://127.0.0.1:${serverPort}`;
  try {
    await waitFor(`http://127.0.0.1:${barePort}/`, bare);
    await waitFor(`${base}/readyz`, server);
    const pid = serverPid(server.pid!);

    const bareOrigin = `http://127.0.0.1:${barePort}`;
    const tokens = await Promise.all(readers.map((r) => devToken(base, r)));
    const asReaders = (path: (r: SeededUser) => string): Client[] =>
      readers.map((r, i) => ({ path: path(r), headers: { authorization: `Bearer ${tokens[i]}` } }));
    const onBare = () => measure("bare Hono hello", bareOrigin, [{ path: "/" }], [bare.pid!]);
    const waiting = await fetch(`${base}/v1/headshots/${readers[0]!.waitingJobId}`, {
      headers: { authorization: `Bearer ${tokens[0]}` },
    });
    const waitingStatus = JobResponse.parse(await waiting.json()).job.status;
    const routes: [name: string, clients: Client[]][] = [
      ["GET /healthz", [{ path: "/healthz" }]],
      ["GET /v1/me", asReaders(() => "/v1/me")],
      [
        `GET /v1/headshots/:id (poll, ${waitingStatus}, 0 outputs)`,
        asReaders((r) => `/v1/headshots/${r.waitingJobId}`),
      ],
      ["GET /v1/headshots/:id (poll, 12 outputs)", asReaders((r) => `/v1/headshots/${r.jobIds.at(-1)}`)],
      ["GET /v1/headshots (history, 5 jobs)", asReaders(() => "/v1/headshots")],
    ];
    // The bare hello before the first route and after each one: a route's ratio is to the two
    // measured either side of it, so a machine whose speed drifts during the run (a shared VM's
    // neighbours) moves a route and its baseline together.
    const rows: Row[] = [];
    let before = await onBare();
    rows.push({ result: before });
    for (const [name, clients] of routes) {
      if (!ROUTES.test(name)) continue;
      const result = await measure(name, base, clients, [pid]);
      const after = await onBare();
      rows.push({ result, baseline: (before.perSecond + after.perSecond) / 2 }, { result: after });
      before = after;
    }
    bare.kill();

    const db = scratch ? "PostgreSQL (loopback)" : "PGlite";
    console.log(
      `\nAPI benchmark — server: \`${serveScript()}\`; ${db}; autocannon ${CONNECTIONS} connections ` +
        `(one user each), ` +
        `${SECONDS} s after ${WARMUP_SECONDS} s warm-up; ${os.cpus().length} cores\n`,
    );
    printTable(rows);
    console.log(
      "(× bare: a route's req/s over the mean of the bare Hono runs just before and after it; " +
        "a bare run's over the mean of them all)\n",
    );
    if (!MEMORY) return;
    const growth = await leakCheck(base, pid, maker);
    const peak = await uploadPeak(base, pid, uploaders, config.UPLOADS_PER_USER);
    const failed = growth > RSS_GROWTH_BOUND || peak > RSS_PEAK_BOUND;
    if (failed) console.log("a memory bound was exceeded");
    process.exitCode = failed ? 1 : 0;
  } catch (err) {
    console.error(serverErrors.slice(-4000));
    throw err;
  } finally {
    await stop(server);
    if (seedBeats) {
      clearInterval(seedBeats);
      await database.close();
    }
    if (bare.exitCode === null) bare.kill();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

await main();
