// Seeds for the privacy and console tests: a user made through the real API, and finished jobs
// with outputs written straight to the database and real files put through the storage.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { MeResponse } from "@headshot/shared";
import { jobs, outputs, purchases } from "../../src/db/schema";
import { outputKeys } from "../../src/storage/storage";
import type { Harness, TestUser } from "../support/harness";

const DAY = 24 * 60 * 60_000;

/** A Canva user known to the server (first /v1/me call), with its internal id. */
export async function apiUser(h: Harness, opts: { userId?: string; brandId?: string } = {}) {
  const who: TestUser = await h.user(opts);
  const res = await h.app.request("/v1/me", { headers: who.headers });
  expect(res.status).toBe(200);
  const me = (await res.json()) as MeResponse;
  return { ...who, id: me.user.id };
}

export interface SeededJob {
  jobId: string;
  outputIds: string[];
  keys: string[];
}

/** A succeeded job created at `createdAt` with `count` outputs expiring after `retentionDays`. */
export async function seedJob(
  h: Harness,
  userId: string,
  opts: {
    createdAt?: Date;
    count?: number;
    retentionDays?: number;
    status?: "succeeded" | "processing";
  } = {},
): Promise<SeededJob> {
  const createdAt = opts.createdAt ?? h.clock.now();
  const expiresAt = new Date(createdAt.getTime() + (opts.retentionDays ?? 30) * DAY);
  const [job] = await h.services.db
    .insert(jobs)
    .values({
      userId,
      status: opts.status ?? "succeeded",
      stage: "storing",
      progress: 1,
      styles: ["studio-grey"],
      aspects: ["1:1"],
      engine: "studio",
      instanceId: "seed",
      createdAt,
      startedAt: createdAt,
      finishedAt: opts.status === "processing" ? null : createdAt,
    })
    .returning({ id: jobs.id });
  const jobId = job!.id;
  const outputIds: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < (opts.count ?? 2); i++) {
    const outputId = randomUUID();
    const k = outputKeys(userId, jobId, outputId);
    await h.services.storage.put(k.image, Buffer.from(`image ${outputId}`), "image/jpeg");
    await h.services.storage.put(k.thumbnail, Buffer.from(`thumb ${outputId}`), "image/jpeg");
    await h.services.db.insert(outputs).values(outputRow({ userId, jobId, outputId, createdAt, expiresAt }));
    outputIds.push(outputId);
    keys.push(k.image, k.thumbnail);
  }
  return { jobId, outputIds, keys };
}

/** An output row whose files are at `outputKeys(userId, jobId, outputId)`. */
export function outputRow(o: {
  userId: string;
  jobId: string;
  outputId: string;
  createdAt: Date;
  expiresAt: Date;
}) {
  const k = outputKeys(o.userId, o.jobId, o.outputId);
  return {
    id: o.outputId,
    jobId: o.jobId,
    userId: o.userId,
    style: "studio-grey",
    aspect: "1:1",
    width: 1024,
    height: 1024,
    mimeType: "image/jpeg",
    byteSize: 100,
    storageKey: k.image,
    thumbStorageKey: k.thumbnail,
    thumbWidth: 256,
    thumbHeight: 256,
    thumbByteSize: 20,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
  };
}

/** A paid purchase, as the billing webhook would record it. */
export async function seedPurchase(h: Harness, userId: string, email: string) {
  const [row] = await h.services.db
    .insert(purchases)
    .values({
      userId,
      packId: "pack-10",
      credits: 10,
      amountCents: 900,
      currency: "eur",
      status: "paid",
      stripeCheckoutSessionId: `cs_${randomUUID()}`,
      stripeCustomerId: `cus_${randomUUID().slice(0, 8)}`,
      customerEmail: email,
      creditsGranted: 10,
    })
    .returning();
  return row!;
}
