// Helpers for generation tests: fixture photos, multipart uploads, polling, balance and job counts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { count, eq } from "drizzle-orm";
import { expect } from "vitest";
import { CURRENT_POLICY_VERSION, JobResponse, MeResponse, type Job } from "@headshot/shared";
import { jobs, users } from "../../src/db/schema";
import type { Harness, TestUser } from "../support/harness";

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));
}

export async function consentingUser(h: Harness, opts?: Parameters<Harness["user"]>[0]): Promise<TestUser> {
  const user = await h.user(opts);
  const res = await h.json(
    "POST",
    "/v1/consent",
    { photoProcessing: true, ageConfirmed18: true, policyVersion: CURRENT_POLICY_VERSION },
    user.headers,
  );
  expect(res.status).toBe(200);
  return user;
}

/** POST /v1/consent's request, as the panel sends it, for tests that call a server over HTTP. */
export function consentRequest(): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      photoProcessing: true,
      ageConfirmed18: true,
      policyVersion: CURRENT_POLICY_VERSION,
    }),
  };
}

export function photoForm(
  photo: Uint8Array,
  fields: Record<string, string> = {},
  type = "image/jpeg",
): FormData {
  const form = new FormData();
  form.set("photo", new Blob([photo as Uint8Array<ArrayBuffer>], { type }), "photo.jpg");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

export function upload(
  h: Harness,
  user: TestUser,
  photo: Uint8Array,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    h.app.request("/v1/headshots", {
      method: "POST",
      headers: { ...user.headers, ...headers },
      body: photoForm(photo, fields),
    }),
  );
}

export async function balance(h: Harness, user: TestUser): Promise<number> {
  const res = await h.app.request("/v1/me", { headers: user.headers });
  return MeResponse.parse(await res.json()).credits.balance;
}

export async function getJob(h: Harness, user: TestUser, id: string): Promise<Job> {
  const res = await h.app.request(`/v1/headshots/${id}`, { headers: user.headers });
  expect(res.status).toBe(200);
  return JobResponse.parse(await res.json()).job;
}

/** Polls until the job has ended (real time: the engine works in real time). */
export async function waitForEnd(h: Harness, user: TestUser, id: string, timeoutMs = 90_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(h, user, id);
    if (!["queued", "processing"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} at ${job.stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many jobs the user has, whatever their state. */
export async function jobCount(h: Harness, user: TestUser): Promise<number> {
  const [row] = await h.services.db
    .select({ n: count() })
    .from(jobs)
    .innerJoin(users, eq(users.id, jobs.userId))
    .where(eq(users.canvaUserId, user.userId));
  return row!.n;
}
