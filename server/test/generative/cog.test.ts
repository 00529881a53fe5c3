// The Cog adapter against the loopback fake of a Cog container: health, the idempotent async PUT,
// one prediction at a time, cancel, and callbacks that carry a bearer token and data URL outputs.
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeGpu, type FakeGpu } from "../../../test-support/fake-gpu";
import { createCogProvider } from "../../src/generative/cog";
import { CallbackRejected, type PredictionProvider } from "../../src/generative/provider";
import { startCallbackSink, type CallbackSink } from "./callback-sink";
import { predictionRequest } from "./photo";
import { providerFailure } from "./provider-failure";

let gpu: FakeGpu;
let sink: CallbackSink;
let provider: PredictionProvider;

beforeAll(async () => {
  gpu = await startFakeGpu({ kind: "cog", startMs: 10, runMs: 80 });
  sink = await startCallbackSink();
  provider = createCogProvider({ baseUrl: gpu.baseUrl, webhookToken: gpu.webhookSecret });
});

afterEach(async () => {
  await gpu.settled();
  Object.assign(gpu.behaviour, { runMs: 80, health: undefined, unavailable: false });
});

afterAll(async () => {
  await gpu.stop();
  await sink.close();
});

async function callbackFor(id: string) {
  await gpu.settled();
  const found = sink.received.filter((c) => (JSON.parse(c.rawBody) as { id: string }).id === id);
  if (found.length !== 1) throw new Error(`expected one callback for ${id}, got ${found.length}`);
  return found[0]!;
}

describe("health", () => {
  it("is not ready while the container sets up, then ready", async () => {
    const starting = await startFakeGpu({ kind: "cog", setupMs: 300 });
    try {
      const cog = createCogProvider({ baseUrl: starting.baseUrl, webhookToken: starting.webhookSecret });
      expect(await cog.isReady()).toBe(false);
      expect(await providerFailure(async () => cog.create(await predictionRequest(sink.url)))).toMatchObject({
        kind: "unavailable",
        detail: "HTTP 503: Model is not ready (STARTING)",
      });
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await cog.isReady()).toBe(true);
    } finally {
      await starting.stop();
    }
  });

  it("counts READY and BUSY as ready, and every failed state as not", async () => {
    const expected = {
      READY: true,
      BUSY: true,
      STARTING: false,
      SETUP_FAILED: false,
      DEFUNCT: false,
      UNHEALTHY: false,
    };
    for (const [health, ready] of Object.entries(expected)) {
      gpu.behaviour.health = health as keyof typeof expected;
      expect(await provider.isReady(), health).toBe(ready);
    }
  });

  it("is not ready when the container answers 503 or can't be reached", async () => {
    gpu.behaviour.unavailable = true;
    expect(await provider.isReady()).toBe(false);
    gpu.behaviour.unavailable = false;
    const gone = await startFakeGpu({ kind: "cog" });
    await gone.stop();
    expect(
      await createCogProvider({ baseUrl: gone.baseUrl, webhookToken: gone.webhookSecret }).isReady(),
    ).toBe(false);
  });
});

describe("create and cancel", () => {
  it("PUTs the prediction under our id, asynchronously, with the completed filter", async () => {
    const request = await predictionRequest(sink.url);
    const state = await provider.create(request);

    expect(state).toMatchObject({ providerId: request.id, status: "starting", outputs: [] });
    const sent = gpu.requests.at(-1)!;
    expect(sent.method).toBe("PUT");
    expect(sent.path).toBe(`/predictions/${request.id}`);
    expect(sent.headers.prefer).toBe("respond-async");
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      id: request.id,
      input: request.input,
      webhook: sink.url,
      webhook_events_filter: ["completed"],
    });
  });

  it("is idempotent by id: the same create again runs nothing new", async () => {
    gpu.behaviour.runMs = 300;
    const request = await predictionRequest(sink.url);
    await provider.create(request);
    const again = await provider.create(request);

    expect(again.providerId).toBe(request.id);
    expect(gpu.predictions().filter((p) => p.id === request.id)).toHaveLength(1);
    await gpu.settled();
    expect(gpu.callbacks.filter((c) => c.predictionId === request.id)).toHaveLength(1);
  });

  it("is busy while the container runs another prediction", async () => {
    gpu.behaviour.runMs = 300;
    await provider.create(await predictionRequest(sink.url));
    expect(await providerFailure(async () => provider.create(await predictionRequest(sink.url)))).toEqual({
      kind: "busy",
      retryAfterMs: 2_000,
    });
  });

  it("is refused when the container rejects the input (422), without echoing it", async () => {
    const request = {
      ...(await predictionRequest(sink.url)),
      input: [] as unknown as Record<string, unknown>,
    };
    expect(await providerFailure(() => provider.create(request))).toEqual({
      kind: "refused",
      detail: "HTTP 422",
    });
  });

  it("cancels a running prediction (its callback says canceled), and an unknown one without error", async () => {
    gpu.behaviour.runMs = 5_000;
    const request = await predictionRequest(sink.url);
    await provider.create(request);
    await provider.cancel(request.id);

    expect(gpu.canceled).toContain(request.id);
    const { headers, rawBody } = await callbackFor(request.id);
    expect(provider.verifyCallback(headers, rawBody).state.status).toBe("canceled");
    await expect(provider.cancel(request.id)).resolves.toBeUndefined();
  });

  it("can't be polled", async () => {
    expect(await provider.poll("anything")).toBeUndefined();
  });
});

describe("callbacks", () => {
  it("verifies the bearer token; the delivery id is the prediction's id and status; the output is a data URL", async () => {
    const request = await predictionRequest(sink.url);
    await provider.create(request);
    const { headers, rawBody } = await callbackFor(request.id);
    const { deliveryId, state } = provider.verifyCallback(headers, rawBody);

    expect(deliveryId).toBe(`${request.id}:succeeded`);
    expect(state).toMatchObject({ providerId: request.id, status: "succeeded", error: null });
    expect(state.predictSeconds).toBeGreaterThan(0);
    expect(state.outputs[0]).toMatch(/^data:image\/jpeg;base64,/);
    const bytes = await provider.fetchOutput(state.outputs[0]!, 5_000_000);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: "jpeg", width: 1024, height: 1280 });
  });

  it("rejects a callback without the token, with another token, or with the token outside Bearer", async () => {
    const request = await predictionRequest(sink.url);
    await provider.create(request);
    const { headers, rawBody } = await callbackFor(request.id);
    const withAuthorization = (value: string | undefined) => {
      const h = new Headers(headers);
      if (value === undefined) h.delete("authorization");
      else h.set("authorization", value);
      return h;
    };

    expect(() => provider.verifyCallback(withAuthorization(undefined), rawBody)).toThrow(CallbackRejected);
    expect(() => provider.verifyCallback(withAuthorization(`Bearer ${gpu.webhookSecret}x`), rawBody)).toThrow(
      /wrong bearer token/,
    );
    expect(() => provider.verifyCallback(withAuthorization(gpu.webhookSecret), rawBody)).toThrow(
      /wrong bearer token/,
    );
    expect(() => provider.verifyCallback(headers, "not json")).toThrow(/isn't JSON/);
  });

  it("refuses a data URL output past the cap, or one that isn't an image", async () => {
    const request = await predictionRequest(sink.url);
    await provider.create(request);
    const { headers, rawBody } = await callbackFor(request.id);
    const [output] = provider.verifyCallback(headers, rawBody).state.outputs;

    expect(await providerFailure(() => provider.fetchOutput(output!, 1_000))).toEqual({
      kind: "refused",
      detail: "the output is larger than 1000 bytes",
    });
    expect(
      await providerFailure(() => provider.fetchOutput("data:text/html;base64,PGI+aGk8L2I+", 1_000)),
    ).toEqual({
      kind: "refused",
      detail: "the output is text/html, not an image",
    });
  });
});
