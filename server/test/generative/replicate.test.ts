// The Replicate adapter against the loopback fake of Replicate's API: what it sends, how it reads
// answers and failures, and how it verifies signed callbacks.
import sharp from "sharp";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SAFETY_ERROR, startFakeGpu, type FakeGpu } from "../../../test-support/fake-gpu";
import {
  CallbackRejected,
  type PredictionProvider,
  type PredictionState,
} from "../../src/generative/provider";
import { createReplicateProvider } from "../../src/generative/replicate";
import { startCallbackSink, type CallbackSink } from "./callback-sink";
import { predictionRequest } from "./photo";
import { providerFailure } from "./provider-failure";

let gpu: FakeGpu;
let sink: CallbackSink;
let provider: PredictionProvider;

const providerFor = (fake: FakeGpu, model = "fake/headshot") =>
  createReplicateProvider({
    baseUrl: fake.baseUrl,
    token: fake.token,
    model,
    webhookSecret: fake.webhookSecret,
  });

beforeAll(async () => {
  gpu = await startFakeGpu({ kind: "replicate", startMs: 20, runMs: 80 });
  sink = await startCallbackSink();
  provider = providerFor(gpu);
});

afterEach(async () => {
  await gpu.settled();
  Object.assign(gpu.behaviour, { failWhenPromptIncludes: [], unavailable: false, runMs: 80 });
});

afterAll(async () => {
  await gpu.stop();
  await sink.close();
});

async function pollUntilDone(id: string): Promise<PredictionState> {
  for (;;) {
    const state = (await provider.poll(id))!;
    if (!["starting", "processing"].includes(state.status)) return state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The callback the sink received for one prediction. */
async function callbackFor(providerId: string) {
  await gpu.settled();
  const found = sink.received.find((c) => (JSON.parse(c.rawBody) as { id: string }).id === providerId);
  if (!found) throw new Error(`no callback for ${providerId}`);
  return found;
}

describe("create, poll and fetch", () => {
  it("creates through the model's route with the input, the webhook, the completed filter and a deadline", async () => {
    const request = await predictionRequest(sink.url);
    const state = await provider.create(request);

    expect(state).toMatchObject({ status: "starting", outputs: [], error: null, predictSeconds: null });
    const sent = gpu.requests.at(-1)!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/models/fake/headshot/predictions");
    expect(sent.headers.authorization).toBe(`Bearer ${gpu.token}`);
    expect(sent.headers["cancel-after"]).toBe("300s");
    expect(sent.headers.prefer).toBeUndefined();
    expect(sent.body).toEqual({
      input: request.input,
      webhook: sink.url,
      webhook_events_filter: ["completed"],
    });
  });

  it("pins a version through POST /predictions when the model names one", async () => {
    const pinned = providerFor(
      gpu,
      "fake/headshot:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
    );
    await pinned.create(await predictionRequest(sink.url));
    const sent = gpu.requests.at(-1)!;
    expect(sent.path).toBe("/v1/predictions");
    expect(sent.body).toMatchObject({
      version: "fake/headshot:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
    });
  });

  it("polls a prediction to success and fetches its output: a 1024×1280 JPEG", async () => {
    const created = await provider.create(await predictionRequest(sink.url));
    const done = await pollUntilDone(created.providerId);

    expect(done.status).toBe("succeeded");
    expect(done.outputs).toHaveLength(1);
    expect(done.outputs[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    expect(done.predictSeconds).toBeGreaterThan(0);
    const bytes = await provider.fetchOutput(done.outputs[0]!, 5_000_000);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: "jpeg", width: 1024, height: 1280 });
  });

  it("reports a safety failure with the provider's words", async () => {
    gpu.behaviour.failWhenPromptIncludes = ["black and white"];
    const created = await provider.create(
      await predictionRequest(sink.url, "classic black and white portrait"),
    );
    expect(await pollUntilDone(created.providerId)).toMatchObject({
      status: "failed",
      error: SAFETY_ERROR,
      outputs: [],
    });
  });

  it("cancels a running prediction, and a finished or unknown one without error", async () => {
    gpu.behaviour.runMs = 5_000;
    const created = await provider.create(await predictionRequest(sink.url));
    await provider.cancel(created.providerId);

    expect(gpu.canceled).toContain(created.providerId);
    expect(await provider.poll(created.providerId)).toMatchObject({ status: "canceled" });
    await expect(provider.cancel(created.providerId)).resolves.toBeUndefined();
    await expect(provider.cancel("nosuchprediction")).resolves.toBeUndefined();
  });

  it("is always ready: Replicate shows trouble on create", async () => {
    expect(await provider.isReady()).toBe(true);
  });
});

describe("failures", () => {
  it("reads a 429's wait from its body", async () => {
    Object.assign(gpu.behaviour, { rateLimitedCreates: 1, rateLimitResetS: 7 });
    expect(await providerFailure(async () => provider.create(await predictionRequest(sink.url)))).toEqual({
      kind: "rate_limited",
      retryAfterMs: 7_000,
    });
    // The limit has reset: the next create goes through.
    await expect(provider.create(await predictionRequest(sink.url))).resolves.toMatchObject({
      status: "starting",
    });
  });

  it("is refused with a wrong token (401), and the token appears in no error", async () => {
    const wrong = createReplicateProvider({
      baseUrl: gpu.baseUrl,
      token: "r8_wrong_token",
      model: "fake/headshot",
      webhookSecret: gpu.webhookSecret,
    });
    const failure = await providerFailure(async () => wrong.create(await predictionRequest(sink.url)));
    expect(failure).toEqual({
      kind: "refused",
      detail: "HTTP 401: You did not pass a valid authentication token",
    });
    expect(JSON.stringify(failure)).not.toContain("r8_wrong_token");
  });

  it("is unavailable on a 5xx and when the provider can't be reached", async () => {
    gpu.behaviour.unavailable = true;
    const down = await providerFailure(async () => provider.create(await predictionRequest(sink.url)));
    expect(down.kind).toBe("unavailable");

    const gone = await startFakeGpu({ kind: "replicate" });
    await gone.stop();
    const unreachable = await providerFailure(async () =>
      providerFor(gone).create(await predictionRequest(sink.url)),
    );
    expect(unreachable).toMatchObject({
      kind: "unavailable",
      detail: expect.stringMatching(/unreachable/),
    });
  });
});

describe("callbacks", () => {
  it("verifies a signed completed callback: the webhook-id is the delivery id", async () => {
    const created = await provider.create(await predictionRequest(sink.url));
    const callback = await callbackFor(created.providerId);
    const verified = provider.verifyCallback(callback.headers, callback.rawBody);

    expect(verified.deliveryId).toBe(callback.headers.get("webhook-id"));
    expect(verified.state).toMatchObject({ providerId: created.providerId, status: "succeeded" });
    expect(verified.state.outputs).toHaveLength(1);
    expect(verified.state.predictSeconds).toBeGreaterThan(0);
  });

  it("rejects a replayed body with altered content, a bad signature, missing headers and another secret", async () => {
    const created = await provider.create(await predictionRequest(sink.url));
    const { headers, rawBody } = await callbackFor(created.providerId);
    const reason = (h: Headers, body: string) => {
      const err = (() => {
        try {
          provider.verifyCallback(h, body);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CallbackRejected);
      return (err as Error).message;
    };

    const altered = rawBody.replace('"succeeded"', '"failed"');
    expect(altered).not.toBe(rawBody);
    expect(reason(headers, altered)).toMatch(/signature/i);

    const forged = new Headers(headers);
    forged.set("webhook-signature", `v1,${Buffer.alloc(32).toString("base64")}`);
    expect(reason(forged, rawBody)).toMatch(/signature/i);

    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const missing = new Headers(headers);
      missing.delete(name);
      expect(reason(missing, rawBody)).toMatch(/missing/);
    }

    const other = createReplicateProvider({
      baseUrl: gpu.baseUrl,
      token: gpu.token,
      model: "fake/headshot",
      webhookSecret: `whsec_${Buffer.from("another secret entirely, 32 bytes").toString("base64")}`,
    });
    expect(() => other.verifyCallback(headers, rawBody)).toThrow(CallbackRejected);
  });

  it("rejects a correctly signed callback more than five minutes old, and accepts one just inside", async () => {
    const created = await provider.create(await predictionRequest(sink.url));
    const { rawBody } = await callbackFor(created.providerId);
    const signedAt = (secondsAgo: number) => {
      const at = new Date(Date.now() - secondsAgo * 1000);
      return new Headers({
        "webhook-id": "msg_replayed",
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": new Webhook(gpu.webhookSecret).sign("msg_replayed", at, rawBody),
      });
    };

    expect(() => provider.verifyCallback(signedAt(301), rawBody)).toThrow(/too old/);
    expect(provider.verifyCallback(signedAt(280), rawBody).deliveryId).toBe("msg_replayed");
  });

  it("rejects a signed body that isn't a prediction", () => {
    const body = JSON.stringify({ hello: "world" });
    const now = new Date();
    const headers = new Headers({
      "webhook-id": "msg_x",
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": new Webhook(gpu.webhookSecret).sign("msg_x", now, body),
    });
    expect(() => provider.verifyCallback(headers, body)).toThrow(/isn't a prediction/);
  });
});

describe("outputs", () => {
  it("stops reading an output past the cap", async () => {
    const created = await provider.create(await predictionRequest(sink.url));
    const [url] = (await pollUntilDone(created.providerId)).outputs;
    expect(await providerFailure(() => provider.fetchOutput(url!, 1_000))).toEqual({
      kind: "refused",
      detail: "the output is larger than 1000 bytes",
    });
  });

  it("explains an output the provider has deleted after its hour, and polls show the data removed", async () => {
    const created = await provider.create(await predictionRequest(sink.url));
    const [url] = (await pollUntilDone(created.providerId)).outputs;
    gpu.deleteOutputs();

    expect(await providerFailure(() => provider.fetchOutput(url!, 5_000_000))).toEqual({
      kind: "refused",
      detail: "the output is gone (the provider deletes outputs an hour after the prediction)",
    });
    expect(await provider.poll(created.providerId)).toMatchObject({ status: "succeeded", outputs: [] });
  });

  it("lets outputs expire on their own once the fake's hour has passed", async () => {
    const shortLived = await startFakeGpu({ kind: "replicate", startMs: 0, runMs: 20, outputTtlMs: 100 });
    try {
      const quick = providerFor(shortLived);
      const created = await quick.create(await predictionRequest(sink.url));
      await shortLived.settled();
      const [url] = (await quick.poll(created.providerId))!.outputs;
      await expect(quick.fetchOutput(url!, 5_000_000)).resolves.toBeInstanceOf(Uint8Array);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await expect(quick.fetchOutput(url!, 5_000_000)).rejects.toThrow(/gone/);
    } finally {
      await shortLived.stop();
    }
  });

  it("accepts plain http only from loopback", async () => {
    expect(await providerFailure(() => provider.fetchOutput("http://example.com/out.jpg", 1000))).toEqual({
      kind: "refused",
      detail: "an output URL over http: is not accepted",
    });
  });
});
