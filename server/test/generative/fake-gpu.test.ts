// The fake GPU's switches do what the engine's tests rely on: duplicated, stale and lost callbacks,
// failures of chosen prompts, slow starts and a Cog container's capacity.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SAFETY_ERROR, startFakeGpu, type FakeGpu } from "../../../test-support/fake-gpu";
import { createCogProvider } from "../../src/generative/cog";
import type { PredictionProvider } from "../../src/generative/provider";
import { createReplicateProvider } from "../../src/generative/replicate";
import { startCallbackSink, type CallbackSink } from "./callback-sink";
import { predictionRequest } from "./photo";
import { providerFailure } from "./provider-failure";

let gpu: FakeGpu;
let sink: CallbackSink;
let provider: PredictionProvider;

beforeAll(async () => {
  gpu = await startFakeGpu({ kind: "replicate", startMs: 10, runMs: 40 });
  sink = await startCallbackSink();
  provider = createReplicateProvider({
    baseUrl: gpu.baseUrl,
    token: gpu.token,
    model: "fake/headshot",
    webhookSecret: gpu.webhookSecret,
  });
});

afterEach(async () => {
  await gpu.settled();
  Object.assign(gpu.behaviour, { callbackCopies: 1, distinctCopyIds: false, concurrentCopies: false });
  Object.assign(gpu.behaviour, { staleAfterCompleted: false, dropCallbacks: 0, startMs: 10 });
});

afterAll(async () => {
  await gpu.stop();
  await sink.close();
});

/** Creates a prediction and returns what verifyCallback makes of every callback it got. */
async function runAndVerify(prompt?: string) {
  const { providerId } = await provider.create(await predictionRequest(sink.url, prompt));
  await gpu.settled();
  return sink.received
    .filter((c) => (JSON.parse(c.rawBody) as { id: string }).id === providerId)
    .map((c) => provider.verifyCallback(c.headers, c.rawBody));
}

describe("callbacks", () => {
  it("delivers duplicates under one webhook-id, like retries", async () => {
    gpu.behaviour.callbackCopies = 3;
    const verified = await runAndVerify();
    expect(verified).toHaveLength(3);
    expect(new Set(verified.map((v) => v.deliveryId)).size).toBe(1);
  });

  it("delivers concurrent duplicates, each under its own webhook-id when asked", async () => {
    Object.assign(gpu.behaviour, { callbackCopies: 3, concurrentCopies: true, distinctCopyIds: true });
    const verified = await runAndVerify();
    expect(new Set(verified.map((v) => v.deliveryId)).size).toBe(3);
    expect(verified.every((v) => v.state.status === "succeeded")).toBe(true);
  });

  it("follows the completed callback with a stale processing one", async () => {
    gpu.behaviour.staleAfterCompleted = true;
    const verified = await runAndVerify();
    expect(verified.map((v) => v.state.status)).toEqual(["succeeded", "processing"]);
  });

  it("sends a callback again while the receiver fails, under the same webhook-id", async () => {
    sink.failNext(2);
    const verified = await runAndVerify();
    expect(verified).toHaveLength(1);
    const attempts = gpu.callbacks.filter((c) => c.headers["webhook-id"] === verified[0]!.deliveryId);
    expect(attempts.map((a) => a.responseStatus)).toEqual([500, 500, 200]);
  });

  it("loses a callback; the prediction still succeeds for a poll to find", async () => {
    gpu.behaviour.dropCallbacks = 1;
    const { providerId } = await provider.create(await predictionRequest(sink.url));
    await gpu.settled();
    expect(sink.received.some((c) => c.rawBody.includes(providerId))).toBe(false);
    expect(gpu.callbacks.find((c) => c.predictionId === providerId)).toMatchObject({ dropped: true });
    expect(await provider.poll(providerId)).toMatchObject({ status: "succeeded" });
    expect(gpu.behaviour.dropCallbacks).toBe(0);
  });
});

describe("predictions", () => {
  it("fails the first attempts of a chosen prompt, then lets it succeed", async () => {
    gpu.failNext(1, { promptIncludes: "corporate navy" });
    expect((await runAndVerify("a plain grey backdrop"))[0]!.state.status).toBe("succeeded");
    expect((await runAndVerify("corporate navy backdrop"))[0]!.state).toMatchObject({
      status: "failed",
      error: SAFETY_ERROR,
    });
    expect((await runAndVerify("corporate navy backdrop"))[0]!.state.status).toBe("succeeded");
  });

  it("stays starting through a slow start", async () => {
    gpu.behaviour.startMs = 400;
    const { providerId } = await provider.create(await predictionRequest(sink.url));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await provider.poll(providerId)).toMatchObject({ status: "starting" });
  });

  it("aborts a prediction still starting when its Cancel-After deadline passes", async () => {
    gpu.behaviour.startMs = 6_000;
    const request = { ...(await predictionRequest(sink.url)), deadlineS: 5 };
    const { providerId } = await provider.create(request);
    expect(gpu.requests.at(-1)!.headers["cancel-after"]).toBe("5s");
    await gpu.settled();
    expect(await provider.poll(providerId)).toMatchObject({
      status: "failed",
      error: expect.stringContaining("deadline"),
    });
  }, 10_000);

  it("records every request body, photo included", async () => {
    const request = await predictionRequest(sink.url);
    await provider.create(request);
    expect(gpu.requests.at(-1)!.rawBody).toContain(request.input.input_image as string);
  });
});

describe("a Cog container", () => {
  it("takes as many predictions at once as its capacity", async () => {
    const cog = await startFakeGpu({ kind: "cog", capacity: 2, runMs: 300 });
    try {
      const adapter = createCogProvider({ baseUrl: cog.baseUrl, webhookToken: cog.webhookSecret });
      await adapter.create(await predictionRequest(sink.url));
      await adapter.create(await predictionRequest(sink.url));
      expect(
        (await providerFailure(async () => adapter.create(await predictionRequest(sink.url)))).kind,
      ).toBe("busy");
      await cog.settled();
      await expect(adapter.create(await predictionRequest(sink.url))).resolves.toMatchObject({
        status: "starting",
      });
      await cog.settled();
    } finally {
      await cog.stop();
    }
  });

  it("holds a create without Prefer: respond-async until the prediction finishes", async () => {
    const cog = await startFakeGpu({ kind: "cog", runMs: 20 });
    try {
      const { input } = await predictionRequest(sink.url);
      const response = await fetch(`${cog.baseUrl}/predictions/sync-1`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ input }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: "sync-1", status: "succeeded" });
    } finally {
      await cog.stop();
    }
  });
});
