// API benchmark: throughput of authenticated reads against a baseline run in the same process
// (GET /healthz: the middleware stack with no auth and no database), printed as cost ratios
// (baseline req/s ÷ route req/s: 2× means half the throughput).
// Runs the real app on PGlite with development auth; no network.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { openDatabase } from "../src/db/client";
import { createLogger } from "../src/logger";
import { createServices } from "../src/services";
import type { Engine } from "../src/engine/types";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const CONCURRENCY = 16;

// The API bench never generates: an engine that refuses keeps model loading out of the numbers.
const idleEngine: Engine = {
  generate: () => Promise.reject(new Error("not used by the API bench")),
  prepare: () => Promise.reject(new Error("not used by the API bench")),
  stats: () => ({ running: 0, queued: 0, capacity: 1 }),
  close: async () => {},
};

async function measure(name: string, request: () => Promise<Response>) {
  // Warm up: JIT, caches, first-sight user creation.
  for (let i = 0; i < 200; i++) await request();
  let done = 0;
  const latencies: number[] = [];
  const end = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const res = await request();
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        done += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    name,
    perSecond: done / (DURATION_MS / 1000),
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p95: latencies[Math.floor(latencies.length * 0.95)]!,
  };
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-bench-"));
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const database = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  await database.migrate();
  const services = await createServices(config, {
    database,
    engine: idleEngine,
    logger: createLogger("silent"),
  });
  const app = createApp(services);
  const token = await services.devIssuer!.issueToken({ userId: "bench", brandId: "bench", ttlSeconds: 3600 });
  const auth = { headers: { Authorization: `Bearer ${token}` } };

  const results = [
    await measure("GET /healthz (baseline)", async () => app.request("/healthz")),
    await measure("GET /v1/me (verified token, user + consent read)", async () =>
      app.request("/v1/me", auth),
    ),
    await measure("GET /v1/headshots (history page)", async () => app.request("/v1/headshots", auth)),
  ];
  const baseline = results[0]!.perSecond;
  console.log(`\nAPI benchmark — in-process, PGlite, ${CONCURRENCY} concurrent, ${DURATION_MS} ms each\n`);
  console.log(
    "route".padEnd(52),
    "req/s".padStart(9),
    "p50 ms".padStart(8),
    "p95 ms".padStart(8),
    "× baseline".padStart(11),
  );
  for (const r of results) {
    console.log(
      r.name.padEnd(52),
      r.perSecond.toFixed(0).padStart(9),
      r.p50.toFixed(2).padStart(8),
      r.p95.toFixed(2).padStart(8),
      `${(baseline / r.perSecond).toFixed(2)}×`.padStart(11),
    );
  }
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
