// How both adapters read a provider's answers: a prediction body into a state, an error status
// into the failure it stands for, and the configuration into the right adapter.
import { describe, expect, it } from "vitest";
import { predictionState } from "../../src/generative/prediction-body";
import { ProviderError } from "../../src/generative/provider";
import { failureOf } from "../../src/generative/provider-http";
import { createPredictionProvider } from "../../src/generative/providers";

describe("prediction bodies", () => {
  it("reads one output or a list, and none while running", () => {
    const base = { id: "p1", error: null, metrics: { predict_time: 4.2 } };
    expect(predictionState({ ...base, status: "succeeded", output: "https://x/1.jpg" })).toEqual({
      providerId: "p1",
      status: "succeeded",
      outputs: ["https://x/1.jpg"],
      error: null,
      predictSeconds: 4.2,
    });
    expect(predictionState({ ...base, status: "succeeded", output: ["a", "b"] })?.outputs).toEqual([
      "a",
      "b",
    ]);
    expect(predictionState({ id: "p1", status: "processing" })).toMatchObject({
      outputs: [],
      predictSeconds: null,
    });
  });

  it("reads Replicate's aborted (deadline passed before it started) as failed", () => {
    expect(predictionState({ id: "p1", status: "aborted", output: null, error: null })).toMatchObject({
      status: "failed",
      error: expect.stringContaining("deadline"),
    });
  });

  it("is undefined for anything that isn't a prediction", () => {
    for (const body of [
      undefined,
      null,
      "x",
      {},
      { id: "p1" },
      { id: "p1", status: "done" },
      { id: 1, status: "failed" },
    ]) {
      expect(predictionState(body)).toBeUndefined();
    }
  });
});

describe("error answers", () => {
  const answer = (status: number, body: unknown, headers?: Record<string, string>) =>
    failureOf(new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers }));

  it("reads a 429's wait from the body, then a Retry-After header, then assumes 10 s", async () => {
    expect(
      (await answer(429, { detail: "Request was throttled. Your rate limit resets in ~12s." })).failure,
    ).toEqual({
      kind: "rate_limited",
      retryAfterMs: 12_000,
    });
    expect(
      (await answer(429, { detail: "Request was throttled. Expected available in 1 second." })).failure,
    ).toEqual({
      kind: "rate_limited",
      retryAfterMs: 1_000,
    });
    expect((await answer(429, "", { "Retry-After": "3" })).failure).toEqual({
      kind: "rate_limited",
      retryAfterMs: 3_000,
    });
    expect((await answer(429, "")).failure).toEqual({ kind: "rate_limited", retryAfterMs: 10_000 });
  });

  it("maps 409 to busy, 5xx to unavailable and other 4xx to refused", async () => {
    expect((await answer(409, { detail: "At capacity" })).failure.kind).toBe("busy");
    expect((await answer(502, "bad gateway")).failure).toEqual({ kind: "unavailable", detail: "HTTP 502" });
    expect((await answer(404, { title: "Not found", detail: "No such model" })).failure).toEqual({
      kind: "refused",
      detail: "HTTP 404: No such model",
    });
  });

  it("keeps structured validation errors, which echo the input, out of the detail", async () => {
    const photo = "data:image/jpeg;base64,/9j/4AAQ";
    const err = await answer(422, { detail: [{ loc: ["body", "input"], msg: "invalid", input: photo }] });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).not.toContain(photo);
  });
});

describe("createPredictionProvider", () => {
  const secret = `whsec_${Buffer.from("a secret of thirty-two bytes long").toString("base64")}`;

  it("builds the adapter REMOTE_ENGINE_KIND names", () => {
    const cog = createPredictionProvider({
      REMOTE_ENGINE_KIND: "cog",
      REMOTE_ENGINE_URL: "http://gpu.internal:5000",
      REMOTE_ENGINE_WEBHOOK_SECRET: "x".repeat(32),
      REMOTE_ENGINE_TOKEN: undefined,
      REMOTE_ENGINE_MODEL: undefined,
    });
    const replicate = createPredictionProvider({
      REMOTE_ENGINE_KIND: "replicate",
      REMOTE_ENGINE_URL: "https://api.replicate.com/v1",
      REMOTE_ENGINE_WEBHOOK_SECRET: secret,
      REMOTE_ENGINE_TOKEN: "r8_token",
      REMOTE_ENGINE_MODEL: "black-forest-labs/flux-kontext-pro",
    });
    expect([cog.kind, replicate.kind]).toEqual(["cog", "replicate"]);
  });

  it("refuses to build without what the kind needs, naming the variable", () => {
    for (const model of [undefined, "not a model"]) {
      const config = {
        REMOTE_ENGINE_KIND: "replicate" as const,
        REMOTE_ENGINE_URL: "https://api.replicate.com/v1",
        REMOTE_ENGINE_WEBHOOK_SECRET: secret,
        REMOTE_ENGINE_TOKEN: "r8_token",
        REMOTE_ENGINE_MODEL: model,
      };
      expect(() => createPredictionProvider(config), String(model)).toThrow(/REMOTE_ENGINE_MODEL/);
    }
  });
});
