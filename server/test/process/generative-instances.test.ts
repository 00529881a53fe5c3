// AI studio on several instances for real (SPEC §7.3, §11): two server processes (src/main.ts as
// `npm run serve` runs it) on one PostgreSQL database and one S3-compatible bucket, and the
// Replicate fake in this process. Instance A gives the provider B's address as PUBLIC_BASE_URL, so
// every callback for a job created on A is delivered to B:
//
// - a job created on A finishes through callbacks B takes, and its outputs are served by both;
// - with every callback lost, the reconcilers of A and B (both running) poll each prediction once;
// - A killed (SIGKILL) once its predictions are at the provider: the job still succeeds through B,
//   and B's crash sweep, run after A counts as dead, does not fail it.
//
// The reconcilers run every second and poll after a 6 s silence (REMOTE_ENGINE_RECONCILE_EVERY_S,
// REMOTE_ENGINE_LATE_CALLBACK_S) instead of production's 10 s / 60 s. 50–70 s, a fifth to a third
// of it start-up. It needs a real PostgreSQL (TEST_DATABASE_URL or DATABASE_URL): without one, or
// when it doesn't answer, it skips and says why.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse, MeResponse, type Job } from "@headshot/shared";
import { startFakeGpu, type FakeGpu } from "../../../test-support/fake-gpu";
import { consentRequest, fixture, photoForm } from "../jobs/helpers";
import { createEmptyDatabase, postgresUnavailable } from "../support/database";
import { s3Env, startLoopbackS3, type LoopbackS3 } from "../storage/loopback-s3";
import { startCanvaIssuer, type CanvaIssuer } from "./canva-issuer";
import { runServer, stopWithin, waitUntilReady, type ServerProcess } from "./server-process";

const APP_ID = "AAFgenerativeInstances";
const BUCKET = "headshot-instances-outputs";
const FREE_CREDITS = 20;
const GENERATIVE_CREDITS = 3;
const STYLES = 6;
/**
 * A claimed prediction is not claimed again for half of this (reconciler.ts): long enough for a
 * pass to poll and store a whole job's outputs on a busy machine, or a second poll would be fair.
 */
const LATE_CALLBACK_S = 6;
const PHOTO = fixture("one_face_sample1_crop.jpg");
// As server-process.ts picks them: below Linux's ephemeral port range.
const B_PORT = 20000 + Math.floor(Math.random() * 12000);
const USER = { aud: APP_ID, userId: "two-instances", brandId: "brand-instances" };

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(`generative instances test skipped: ${unavailable}`);

let issuer: CanvaIssuer;
let s3: LoopbackS3;
let gpu: FakeGpu;
let sqlClient: postgres.Sql;
let testDatabase: Awaited<ReturnType<typeof createEmptyDatabase>> | undefined;
let a: ServerProcess;
let b: ServerProcess;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function call(server: ServerProcess, urlPath: string, init: RequestInit = {}) {
  const headers = {
    Authorization: `Bearer ${await issuer.sign(USER)}`,
    ...(init.headers as Record<string, string>),
  };
  return fetch(`${server.base}${urlPath}`, { ...init, headers });
}

async function getJob(server: ServerProcess, id: string): Promise<Job> {
  const res = await call(server, `/v1/headshots/${id}`);
  expect(res.status).toBe(200);
  return JobResponse.parse(await res.json()).job;
}

async function generate(server: ServerProcess): Promise<Job> {
  const res = await call(server, "/v1/headshots", {
    method: "POST",
    body: photoForm(PHOTO, { engine: "generative" }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return JobResponse.parse(await res.json()).job;
}

/** Polls the job on `server` until it ends. */
async function untilEnded(server: ServerProcess, id: string, timeoutMs = 40_000): Promise<Job> {
  let job: Job | undefined;
  await until(
    `job ${id} to end`,
    async () => {
      job = await getJob(server, id);
      return job.status !== "queued" && job.status !== "processing";
    },
    timeoutMs,
  );
  return job!;
}

/** The creates the fake received from `from` on (request index). */
const createsSince = (from: number) =>
  gpu.requests.slice(from).filter((r) => r.method === "POST" && /\/predictions$/.test(r.path));

/** The provider's ids of the predictions created since `from`, in the order of the fake's list. */
function predictionIdsSince(before: Set<string>): string[] {
  return gpu
    .predictions()
    .map((p) => p.id)
    .filter((id) => !before.has(id));
}

/** How many times each prediction was polled (`GET /v1/predictions/{id}`), all instances together. */
function pollsOf(ids: string[]): Record<string, number> {
  const counts = Object.fromEntries(ids.map((id) => [id, 0]));
  for (const r of gpu.requests) {
    const id = r.method === "GET" ? /^\/v1\/predictions\/([^/?]+)$/.exec(r.path)?.[1] : undefined;
    if (id && id in counts) counts[id]! += 1;
  }
  return counts;
}

const portOf = (server: ServerProcess) => new URL(server.base).port;

describe.skipIf(unavailable)("AI studio on two instances sharing PostgreSQL and S3", () => {
  beforeAll(async () => {
    [issuer, s3, gpu] = await Promise.all([
      startCanvaIssuer(),
      startLoopbackS3([BUCKET]),
      startFakeGpu({ kind: "replicate", startMs: 20, runMs: 300 }),
    ]);
    testDatabase = await createEmptyDatabase("headshot_instances");
    sqlClient = postgres(testDatabase.url, { max: 2, onnotice: () => {} });
    const env = {
      DATABASE_URL: testDatabase.url,
      ...s3Env(s3, BUCKET),
      CANVA_APP_ID: APP_ID,
      CANVA_JWKS_URL: issuer.jwksUrl,
      FILE_URL_SECRET: "generative-instances-file-url-secret-0123",
      ENGINES: "studio,generative",
      GENERATIVE_CREDITS: String(GENERATIVE_CREDITS),
      FREE_CREDITS: String(FREE_CREDITS),
      RATE_LIMITS: "generation=1000/min",
      GENERATION_CONCURRENCY: "1",
      REMOTE_ENGINE_RECONCILE_EVERY_S: "1",
      REMOTE_ENGINE_LATE_CALLBACK_S: String(LATE_CALLBACK_S),
      SHUTDOWN_TIMEOUT_S: "5",
      ...gpu.env,
    };
    // A tells the provider to call B back.
    b = runServer({ ...env, PORT: String(B_PORT), PUBLIC_BASE_URL: `http://127.0.0.1:${B_PORT}` });
    a = runServer({ ...env, PUBLIC_BASE_URL: b.base });
    // Both start at once on an empty database, as a deployment would: migrations serialise.
    await Promise.all([waitUntilReady(a, 120_000), waitUntilReady(b, 120_000)]);
    const consent = await call(a, "/v1/consent", consentRequest());
    expect(consent.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((server) => stopWithin(server, 15_000)));
    await sqlClient?.end();
    await testDatabase?.drop();
    await gpu?.stop();
    await s3?.close();
    await issuer?.close();
  }, 60_000);

  it("finishes a job created on A through callbacks delivered to B, and both serve its outputs", async () => {
    const started = await generate(a);
    expect(started.engine).toBe("generative");
    const job = await untilEnded(b, started.id);
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(STYLES * 2); // 4:5 and 1:1 of each style

    expect(createsSince(0)).toHaveLength(STYLES);
    const completed = gpu.callbacks.filter((c) => c.status === "succeeded");
    expect(completed).toHaveLength(STYLES);
    for (const callback of completed) {
      expect(new URL(callback.url).origin).toBe(b.base);
      expect(callback.responseStatus).toBe(200);
    }
    expect(gpu.callbacks.some((c) => new URL(c.url).port === portOf(a))).toBe(false);
    // Callbacks were on time: no reconciler polled.
    expect(Object.values(pollsOf(gpu.predictions().map((p) => p.id)))).toEqual(Array(STYLES).fill(0));

    // Written to the shared bucket by B (it fetched the outputs), served by either instance.
    for (const output of job.outputs) {
      const { pathname } = new URL(output.url);
      const [fromA, fromB] = await Promise.all([
        fetch(`${a.base}${pathname}`),
        fetch(`${b.base}${pathname}`),
      ]);
      expect([fromA.status, fromB.status]).toEqual([200, 200]);
      expect(fromA.headers.get("Content-Type")).toBe("image/jpeg");
      expect(Buffer.from(await fromA.arrayBuffer())).toEqual(Buffer.from(await fromB.arrayBuffer()));
    }
  }, 90_000);

  it("polls each prediction once when every callback is lost, with both reconcilers running", async () => {
    gpu.behaviour.dropCallbacks = Infinity;
    const before = new Set(gpu.predictions().map((p) => p.id));
    const started = await generate(a);
    let ids: string[] = [];
    await until("the fake's predictions to succeed", () => {
      ids = predictionIdsSince(before);
      return ids.length === STYLES && gpu.predictions().every((p) => p.status === "succeeded");
    });
    // Every completed callback was dropped: only a reconciler can end this job.
    const lost = gpu.callbacks.filter((c) => ids.includes(c.predictionId));
    expect(lost.map((c) => c.dropped)).toEqual(Array(STYLES).fill(true));

    const job = await untilEnded(b, started.id, 30_000);
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(STYLES * 2);
    // Several more reconcile passes on both instances: nothing is polled again.
    await sleep(2_500);
    expect(pollsOf(ids)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    gpu.behaviour.dropCallbacks = 0;
  }, 60_000);

  it("finishes a job whose instance was killed once its predictions were sent, untouched by the crash sweep", async () => {
    // Slow enough that the job is still running when B's sweep has looked at A's jobs.
    gpu.behaviour.runMs = 18_000;
    const balance = async () => MeResponse.parse(await (await call(b, "/v1/me")).json()).credits.balance;
    const credits = await balance();
    const from = gpu.requests.length;
    const before = new Set(gpu.predictions().map((p) => p.id));
    const started = await generate(a);
    await until(`${STYLES} creates at the fake`, () => createsSince(from).length === STYLES);
    a.proc.kill("SIGKILL");
    expect(await a.exited).toBeNull();

    // A is gone without a word: age its heartbeat past the 30 s silence limit rather than waiting,
    // then wait for B's keeper to beat (and sweep, in the same tick) after that.
    const [aged] = await sqlClient<{ now: Date }[]>`
      update instances set heartbeat_at = now() - interval '1 minute'
      where id = (select instance_id from jobs where id = ${started.id})
      returning now() as now`;
    expect(aged).toBeDefined();
    await until(
      "B's keeper to beat and sweep",
      async () => {
        const [row] = await sqlClient<{ n: number }[]>`
          select count(*)::int as n from instances
          where heartbeat_at > ${aged!.now} and id <> (select instance_id from jobs where id = ${started.id})`;
        return row!.n > 0;
      },
      15_000,
    );
    await sleep(1_000);
    expect((await getJob(b, started.id)).status, "after B's crash sweep").toBe("processing");

    const job = await untilEnded(b, started.id, 40_000);
    expect(job.status).toBe("succeeded");
    expect(job.outputs).toHaveLength(STYLES * 2);
    const ids = predictionIdsSince(before);
    const completed = gpu.callbacks.filter((c) => ids.includes(c.predictionId) && c.status === "succeeded");
    expect(completed).toHaveLength(STYLES);
    for (const callback of completed) expect(new URL(callback.url).origin).toBe(b.base);

    // Charged once, never refunded.
    expect(await balance()).toBe(credits - GENERATIVE_CREDITS);
    const refunds = await sqlClient`
      select 1 from credit_ledger where job_id = ${started.id} and kind = 'refund_generation'`;
    expect(refunds).toHaveLength(0);
    expect(b.output(), "error-level log lines on B").not.toMatch(/"level":(50|60)/);
  }, 90_000);
});
