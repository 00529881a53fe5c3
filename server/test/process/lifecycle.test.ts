// The server process under signals (SPEC §6.2, §11): SIGTERM drains an in-flight job before
// exiting; a process killed mid-job loses no credit — the next start-up refunds it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse, MeResponse, type Job } from "@headshot/shared";
import { fixture, photoForm } from "../jobs/helpers";
import { runServer, stopServer, waitUntilReady, type ServerProcess } from "./server-process";

let dataDir: string;
const running: ServerProcess[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-lifecycle-"));
});
afterAll(async () => {
  for (const s of running) await stopServer(s, "SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ServerProcess> {
  const server = runServer({ DATA_DIR: dataDir, GENERATION_CONCURRENCY: "1", SHUTDOWN_TIMEOUT_S: "60" });
  running.push(server);
  await waitUntilReady(server, 90_000);
  return server;
}

async function session(server: ServerProcess) {
  const { token } = (await (
    await fetch(`${server.base}/dev/token`, {
      method: "POST",
      body: JSON.stringify({ userId: "life", brandId: "cycle" }),
    })
  ).json()) as { token: string };
  const headers = { Authorization: `Bearer ${token}` };
  const call = (p: string, init: RequestInit = {}) =>
    fetch(`${server.base}${p}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string>) },
    });
  return {
    balance: async () => MeResponse.parse(await (await call("/v1/me")).json()).credits.balance,
    job: async (id: string): Promise<Job> =>
      JobResponse.parse(await (await call(`/v1/headshots/${id}`)).json()).job,
    consent: () =>
      call("/v1/consent", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ photoProcessing: true, ageConfirmed18: true, policyVersion: "1" }),
      }),
    generate: async () => {
      const res = await call("/v1/headshots", {
        method: "POST",
        body: photoForm(fixture("one_face_sample1_crop.jpg")),
      });
      expect(res.status).toBe(202);
      return JobResponse.parse(await res.json()).job;
    },
  };
}

describe("server lifecycle", () => {
  it("finishes an in-flight job on SIGTERM before exiting", async () => {
    const first = await start();
    const user = await session(first);
    await user.consent();
    const job = await user.generate();
    expect(await stopServer(first, "SIGTERM")).toBe(0);

    const second = await start();
    const after = await session(second);
    const ended = await after.job(job.id);
    expect(ended.status).toBe("succeeded");
    expect(ended.outputs).toHaveLength(12);
    expect(await after.balance()).toBe(2);
    await stopServer(second);
  }, 300_000);

  it("refunds the job of a process killed mid-job when the next one starts", async () => {
    const first = await start();
    const user = await session(first);
    await user.consent();
    const job = await user.generate();
    await stopServer(first, "SIGKILL"); // at once: the engine needs seconds, so the job is mid-way

    const second = await start();
    const after = await session(second);
    const ended = await after.job(job.id);
    expect(ended).toMatchObject({ status: "failed", error: { reason: "INSTANCE_LOST" } });
    expect(await after.balance()).toBe(2);
    await stopServer(second);
  }, 300_000);
});
