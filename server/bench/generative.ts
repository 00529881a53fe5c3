// `npm run bench:generative`: AI studio's orchestration on one instance (SPEC §7.3), each figure
// against a baseline measured in the same run:
//   - our CPU per generative job, POST to succeeded, against the image work no design can avoid
//     (storeStyleImages for the same six images into the same storage);
//   - callbacks one instance applies per second (succeeded: image fetched and stored; failed: the
//     apply path alone) against POST /webhooks/engine with a bad signature. "× baseline" is the
//     baseline's rate ÷ the row's (2× = half the rate); "CPU ×" compares this process's CPU per
//     callback, which other tenants of the machine's cores move less than the rate.
// PGlite runs in this process, so the database's work counts as ours here (not so on PostgreSQL).
// The fake GPU (Replicate kind) runs in a child process, so its drawing is not our CPU; the app
// runs here on PGlite, served on loopback so that the fake's callbacks reach it.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { count, eq, inArray } from "drizzle-orm";
import sharp from "sharp";
import { Webhook } from "standardwebhooks";
import { CURRENT_POLICY_VERSION, STYLE_IDS } from "@headshot/shared";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { openDatabase } from "../src/db/client";
import { jobs, outputs, users } from "../src/db/schema";
import type { Engine } from "../src/engine/types";
import { storeStyleImages } from "../src/generative/output-images";
import { claimForSending, insertPredictions, predictionsOf } from "../src/generative/predictions";
import type { PredictionProvider } from "../src/generative/provider";
import { createPredictionProvider } from "../src/generative/providers";
import type { App } from "../src/http/openapi";
import { createJob, type JobRow } from "../src/jobs/jobs";
import { createLogger } from "../src/logger";
import { createServices } from "../src/services";

const JOBS = Number(process.env.BENCH_JOBS ?? 12);
/** Callbacks per kind, delivered in two rounds (see `callbackRows`). */
const CALLBACKS = Math.ceil(Number(process.env.BENCH_CALLBACKS ?? 240) / 12) * 12;
const CONCURRENCY = 16;
const PHOTO = readFileSync(
  fileURLToPath(new URL("../test/fixtures/one_face_sample1_crop.jpg", import.meta.url)),
);
const FAKE_GPU = fileURLToPath(new URL("../../test-support/fake-gpu/serve.ts", import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

// A generative job needs only the studio engine's `prepare`. Its checks (safety, one face) are
// the engine bench's business; the downscale every sent photo gets is kept.
const downscaleOnly: Engine = {
  generate: () => Promise.reject(new Error("not used by the generative bench")),
  prepare: async ({ photo }) => {
    const { data, info } = await sharp(photo)
      .resize(1536, 1536, { fit: "inside", withoutEnlargement: true })
      .jpeg()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  },
  stats: () => ({ running: 0, queued: 0, capacity: 100 }),
  close: async () => {},
};

/** The fake GPU in a child process, with no start or run time: its REMOTE_ENGINE_* settings. */
async function startFakeGpu() {
  const child = spawn(
    process.execPath,
    [...process.execArgv, FAKE_GPU, "--kind", "replicate", "--port", "0", "--start-ms", "0", "--run-ms", "0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let printed = "";
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the fake GPU exited (${code})`)));
    child.stdout.on("data", (chunk: Buffer) => {
      printed += String(chunk);
      if (/REMOTE_ENGINE_MODEL=.*\n/.test(printed)) resolve();
    });
  });
  const env = Object.fromEntries(
    [...printed.matchAll(/^\s+(REMOTE_ENGINE_\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  return { env, stop: () => new Promise((r) => child.once("exit", r).kill("SIGTERM")) };
}

/** A keep-alive POST from this process (the callbacks' sender; the same for every row). */
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          ...headers,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

interface Callback {
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface Delivered {
  count: number;
  elapsedMs: number;
  cpuMs: number;
  latencies: number[];
}

/** Delivers `calls` CONCURRENCY at a time; each answer must pass `ok`. Adds to `into`. */
async function deliver(into: Delivered, calls: Callback[], ok: (status: number, text: string) => boolean) {
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        const t = performance.now();
        const res = await post(call.url, call.headers, call.body);
        if (!ok(res.status, res.text)) throw new Error(`callback answered ${res.status}: ${res.text}`);
        into.latencies.push(performance.now() - t);
      }
    }),
  );
  into.elapsedMs += performance.now() - start;
  into.cpuMs += cpuMs(cpu);
  into.count += calls.length;
}

async function main() {
  const fake = await startFakeGpu();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-bench-gen-"));
  // Listening before the app exists: PUBLIC_BASE_URL (where callbacks go) needs the port.
  const served: { fetch?: App["fetch"] } = {};
  const server = serve({ fetch: (req) => served.fetch!(req), port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    ENGINES: "studio,generative",
    PUBLIC_BASE_URL: base,
    FREE_CREDITS: "1000",
    GENERATIVE_CREDITS: "1",
    RATE_LIMITS: "generation=100000/min",
    ...fake.env,
  });
  const database = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  await database.migrate();

  // The six images the fake drew for the first job, for the baseline (its fetches are kept).
  const drawn: { ref: string; image: Uint8Array }[] = [];
  const real = createPredictionProvider(config);
  const provider: PredictionProvider = {
    ...real,
    fetchOutput: async (ref, maxBytes) => {
      const image = await real.fetchOutput(ref, maxBytes);
      if (drawn.length < STYLE_IDS.length) drawn.push({ ref, image });
      return image;
    },
  };
  const services = await createServices(config, {
    database,
    engine: downscaleOnly,
    logger: createLogger("silent"),
    provider,
  });
  const app = createApp(services);
  served.fetch = app.fetch;
  const { db, storage } = services;
  const generative = services.generative!;
  const token = await services.devIssuer!.issueToken({ userId: "bench", brandId: "bench", ttlSeconds: 3600 });
  const auth = { Authorization: `Bearer ${token}` };
  const consent = await app.request("/v1/consent", {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({
      photoProcessing: true,
      ageConfirmed18: true,
      policyVersion: CURRENT_POLICY_VERSION,
    }),
  });
  if (!consent.ok) throw new Error(`consent: HTTP ${consent.status}`);
  const [user] = await db.select().from(users).where(eq(users.canvaUserId, "bench"));

  // ---- 1. our CPU per job -----------------------------------------------------------------------

  /** One job, POST (in-process, as api.ts does) until this instance holds nothing of it. */
  async function job(): Promise<{ id: string; wallMs: number; cpuMs: number }> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const form = new FormData();
    form.set("photo", new Blob([PHOTO], { type: "image/jpeg" }), "photo.jpg");
    form.set("engine", "generative");
    const res = await app.request("/v1/headshots", { method: "POST", headers: auth, body: form });
    if (res.status !== 202) throw new Error(`POST /v1/headshots: HTTP ${res.status} ${await res.text()}`);
    const { id } = ((await res.json()) as { job: { id: string } }).job;
    // Held until its last callback was applied and the send loop let it go; polled every 5 ms.
    while (generative.inFlight() > 0) await sleep(5);
    return { id, wallMs: performance.now() - start, cpuMs: cpuMs(cpu) };
  }

  const first = await job(); // warm-up; its six images are kept for the baseline
  await job();
  const [firstRow] = await db.select().from(jobs).where(eq(jobs.id, first.id));
  const retentionDays = config.OUTPUT_RETENTION_DAYS;
  /** The baseline: the six images stored for a job as a callback would, nothing else. */
  async function imageWork(row: JobRow): Promise<number> {
    const cpu = process.cpuUsage();
    for (const [i, { image }] of drawn.entries()) {
      await storeStyleImages({ storage, retentionDays }, row, STYLE_IDS[i]!, image, new Date());
    }
    return cpuMs(cpu);
  }
  await imageWork(firstRow!);

  // Jobs and baselines alternate, so the machine's drift (other tenants) moves both alike.
  const measured: Awaited<ReturnType<typeof job>>[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < JOBS; i++) {
    measured.push(await job());
    baseline.push(await imageWork(firstRow!));
  }
  const ended = await db
    .select({ status: jobs.status, outputs: count(outputs.id) })
    .from(jobs)
    .leftJoin(outputs, eq(outputs.jobId, jobs.id))
    .where(
      inArray(
        jobs.id,
        measured.map((m) => m.id),
      ),
    )
    .groupBy(jobs.id);
  const bad = ended.filter((j) => j.status !== "succeeded" || j.outputs !== 12);
  if (bad.length > 0) throw new Error(`jobs that did not succeed with 12 outputs: ${JSON.stringify(bad)}`);

  // ---- 2. callbacks applied per second ---------------------------------------------------------

  // A callback's body as Replicate sends it: the prediction, its input (the photo as sent) included.
  const prepared = await downscaleOnly.prepare({ photo: PHOTO });
  const input = {
    input_image: `data:image/jpeg;base64,${Buffer.from(prepared.data).toString("base64")}`,
    prompt: "bench",
    aspect_ratio: "4:5",
    output_format: "jpg",
    seed: 7,
  };
  const signer = new Webhook(config.REMOTE_ENGINE_WEBHOOK_SECRET!);
  const outputUrl = drawn[0]!.ref; // served by the fake for its hour
  function callback(attemptId: string, status: "succeeded" | "failed", signed = true): Callback {
    const id = randomUUID().replaceAll("-", "").slice(0, 26);
    const at = new Date().toISOString();
    const body = JSON.stringify({
      id,
      model: "fake/headshot",
      version: "hidden",
      input,
      logs: "",
      output: status === "succeeded" ? [outputUrl] : null,
      data_removed: false,
      error: status === "failed" ? "CUDA out of memory" : null,
      status,
      created_at: at,
      started_at: at,
      completed_at: at,
      urls: { get: `https://api.replicate.com/v1/predictions/${id}` },
      metrics: { predict_time: 4.2 },
    });
    const deliveryId = `msg_${randomUUID()}`;
    const now = new Date();
    // The sender's work (signing) is done before the clock starts.
    const signature = signed
      ? signer.sign(deliveryId, now, body)
      : `v1,${Buffer.alloc(32).toString("base64")}`;
    return {
      url: `${base}/webhooks/engine?attempt=${attemptId}`,
      headers: {
        "webhook-id": deliveryId,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body,
    };
  }
  /** `n` predictions sent and waiting for their callback (a job's six at a time), by attempt. */
  async function openAttempts(n: number): Promise<string[]> {
    const attempts: string[] = [];
    while (attempts.length < n) {
      const { job: row } = await createJob(
        db,
        {
          user: user!,
          styles: [...STYLE_IDS],
          aspects: ["4:5", "1:1"],
          engine: "generative",
          attire: "business",
          credits: 1,
          instanceId: services.instanceId,
          withJob: insertPredictions,
        },
        new Date(),
      );
      for (const p of await predictionsOf(db, row.id)) {
        const attemptId = randomUUID();
        await claimForSending(db, p.id, attemptId, new Date());
        attempts.push(attemptId);
      }
    }
    return attempts;
  }
  const applied = (status: number, text: string) => status === 200 && text.includes('"applied"');
  const rejected = (status: number) => status === 400;
  const kinds = [
    {
      // Baseline: the cheapest full round trip through the same route — the same bytes read, the
      // same middleware and the same signature check (HMAC over the body), then a 400. /healthz
      // would leave out the body and the check, and so charge their cost to applying.
      name: "bad signature → 400 (baseline)",
      calls: async (n: number) => Array.from({ length: n }, () => callback(randomUUID(), "failed", false)),
      ok: rejected,
    },
    {
      name: "failed → retried (the apply path alone)",
      calls: async (n: number) => (await openAttempts(n)).map((a) => callback(a, "failed")),
      ok: applied,
    },
    {
      name: "succeeded → image fetched, stored, applied",
      calls: async (n: number) => (await openAttempts(n)).map((a) => callback(a, "succeeded")),
      ok: applied,
    },
  ];
  const results = kinds.map(() => ({ count: 0, elapsedMs: 0, cpuMs: 0, latencies: [] as number[] }));
  for (const kind of kinds)
    await deliver({ count: 0, elapsedMs: 0, cpuMs: 0, latencies: [] }, await kind.calls(12), kind.ok);
  // Two rounds of every kind in turn, so drift moves them alike; rows are prepared between runs.
  for (let round = 0; round < 2; round++) {
    for (const [i, kind] of kinds.entries()) {
      await deliver(results[i]!, await kind.calls(CALLBACKS / 2), kind.ok);
    }
  }

  // ---- report ----------------------------------------------------------------------------------

  const jobCpu = measured.reduce((s, m) => s + m.cpuMs, 0) / JOBS;
  const imageCpu = baseline.reduce((s, b) => s + b, 0) / JOBS;
  console.log(
    `\nAI studio bench — app in-process on PGlite, fake GPU (Replicate, start/run 0 ms) in a child process, ${JOBS} jobs × 6 styles × 2 aspects\n`,
  );
  const rows: [string, string, string][] = [
    [
      "orchestration: our CPU per job, POST → succeeded",
      `${jobCpu.toFixed(0)} ms`,
      `${(jobCpu / imageCpu).toFixed(2)}×`,
    ],
    ["baseline: storeStyleImages × 6 (the image work alone)", `${imageCpu.toFixed(0)} ms`, "1.00×"],
    [
      "wall clock per job p50 (information: includes the fake)",
      `${percentile(
        measured.map((m) => m.wallMs),
        50,
      ).toFixed(0)} ms`,
      "",
    ],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`${"measure".padEnd(width)}  ${"value".padStart(9)}  ${"× baseline".padStart(10)}`);
  for (const [name, value, ratio] of rows)
    console.log(`${name.padEnd(width)}  ${value.padStart(9)}  ${ratio.padStart(10)}`);

  const bodyKb = Math.round(Buffer.byteLength(callback(randomUUID(), "succeeded").body) / 1024);
  console.log(
    `\nPOST /webhooks/engine over loopback — ${CALLBACKS} each, ${CONCURRENCY} concurrent, signed ${bodyKb} KB bodies (the sender shares this process)\n`,
  );
  console.log(
    "callback".padEnd(44),
    "applied/s".padStart(10),
    "p50 ms".padStart(8),
    "p95 ms".padStart(8),
    "CPU ms".padStart(7),
    "× baseline".padStart(11),
    "CPU ×".padStart(6),
  );
  const perSecond = (r: Delivered) => r.count / (r.elapsedMs / 1000);
  for (const [i, r] of results.entries()) {
    console.log(
      kinds[i]!.name.padEnd(44),
      perSecond(r).toFixed(0).padStart(10),
      percentile(r.latencies, 50).toFixed(1).padStart(8),
      percentile(r.latencies, 95).toFixed(1).padStart(8),
      (r.cpuMs / r.count).toFixed(1).padStart(7),
      `${(perSecond(results[0]!) / perSecond(r)).toFixed(2)}×`.padStart(11),
      `${(r.cpuMs / r.count / (results[0]!.cpuMs / results[0]!.count)).toFixed(1)}×`.padStart(6),
    );
  }

  agent.destroy();
  await generative.close();
  await new Promise((r) => server.close(r));
  await database.close();
  await fake.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
