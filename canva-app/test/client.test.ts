// The API client: Canva SDK errors from the token call become ApiErrors the screens and the
// poller understand, consent is given to the policy version the server names, and a request
// with no answer gives up instead of spinning forever.
import { CanvaError } from "@canva/error";
import type { ErrorCode } from "@canva/error";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { createApiClient, REQUEST_TIMEOUT_MS, UPLOAD_TIMEOUT_MS } from "../src/api/client";
import { newIdempotencyKey } from "../src/api/idempotency-key";
import { describeError } from "../src/errors/error-messages";
import { aJob, aMe } from "./helpers";

function clientWithToken(getToken: () => Promise<string>, fetchFn = vi.fn()) {
  return { api: createApiClient({ baseUrl: "http://backend.test", getToken, fetch: fetchFn }), fetchFn };
}

describe("api client", () => {
  it.each<[ErrorCode, string]>([
    ["user_offline", "NETWORK"],
    ["rate_limited", "RATE_LIMITED"],
    ["not_allowed", "UNAVAILABLE"],
    ["timeout", "UNAVAILABLE"],
  ])("maps the token call's CanvaError %s to %s, not INTERNAL", async (canvaCode, code) => {
    const { api, fetchFn } = clientWithToken(() =>
      Promise.reject(new CanvaError({ code: canvaCode, message: "sdk" })),
    );
    const error: unknown = await api.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code, transient: true });
    expect(describeError(error).key).toBe(code);
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("sends the policy version it is given", async () => {
    const fetchFn = vi.fn(async () => Response.json(aMe().consent));
    const { api } = clientWithToken(async () => "token", fetchFn);
    await api.giveConsent("7");
    const init = (fetchFn.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(JSON.parse(init.body as string)).toMatchObject({ policyVersion: "7" });
  });

  it("sends the engine, and the outfit only with AI studio", async () => {
    const fetchFn = vi.fn(async () => Response.json({ job: aJob({ status: "queued" }) }, { status: 202 }));
    const { api } = clientWithToken(async () => "token", fetchFn);
    const sent = async (engine: "studio" | "generative") => {
      fetchFn.mockClear();
      await api.createHeadshots({
        photo: new Blob(["x"], { type: "image/jpeg" }),
        fileName: "me.jpg",
        styles: ["studio-grey"],
        aspects: ["4:5"],
        engine,
        attire: "smart_casual",
        idempotencyKey: "k",
      });
      return (fetchFn.mock.calls[0] as unknown as [string, RequestInit])[1].body as FormData;
    };

    const generative = await sent("generative");
    expect(generative.get("engine")).toBe("generative");
    expect(generative.get("attire")).toBe("smart_casual");
    const studio = await sent("studio");
    expect(studio.get("engine")).toBe("studio");
    expect(studio.has("attire")).toBe(false);
  });
});

/** A server that never answers: like a real fetch, it gives up only when the signal aborts. */
function silentFetch() {
  return vi.fn(
    (_url: string, init: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      ),
  );
}

describe("request deadline", () => {
  afterEach(() => vi.useRealTimers());

  it("a request with no answer fails as NETWORK after REQUEST_TIMEOUT_MS", async () => {
    vi.useFakeTimers();
    const { api } = clientWithToken(async () => "token", silentFetch());
    const result = api.me().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(await Promise.race([result, "pending"])).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toMatchObject({ code: "NETWORK", transient: true });
  });

  it("covers Canva's token call too: a hung token call fails as NETWORK", async () => {
    vi.useFakeTimers();
    const fetchFn = vi.fn();
    const { api } = clientWithToken(() => new Promise<string>(() => {}), fetchFn);
    const result = api.me().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    expect(await result).toMatchObject({ code: "NETWORK" });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("covers the body too: headers then a stalled body still time out", async () => {
    vi.useFakeTimers();
    const stalledBody = vi.fn(
      async (_url: string, init: RequestInit) =>
        ({
          ok: true,
          json: () =>
            new Promise((_, reject) =>
              init.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
            ),
        }) as unknown as Response,
    );
    const { api } = clientWithToken(async () => "token", stalledBody);
    const result = api.listJobs().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    expect(await result).toMatchObject({ code: "NETWORK" });
  });

  it("gives the photo upload longer, and a fast answer clears the timer", async () => {
    vi.useFakeTimers();
    const { api } = clientWithToken(async () => "token", silentFetch());
    const upload = api
      .createHeadshots({
        photo: new Blob(["x"]),
        fileName: "me.jpg",
        styles: ["studio-grey"],
        aspects: ["1:1"],
        engine: "studio",
        attire: "business",
        idempotencyKey: "k",
      })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    expect(await Promise.race([upload, "pending"])).toBe("pending");
    await vi.advanceTimersByTimeAsync(UPLOAD_TIMEOUT_MS - REQUEST_TIMEOUT_MS);
    expect(await upload).toMatchObject({ code: "NETWORK" });

    const { api: fast } = clientWithToken(
      async () => "token",
      vi.fn(async () => Response.json(aMe())),
    );
    await fast.me();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("idempotency keys", () => {
  it("fall back to getRandomValues where crypto.randomUUID is missing (Chrome 89)", () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (a: Uint8Array<ArrayBuffer>) => real.getRandomValues(a) });
    try {
      const a = newIdempotencyKey();
      const b = newIdempotencyKey();
      expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(b).not.toBe(a);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
