// The API client: Canva SDK errors from the token call become ApiErrors the screens and the
// poller understand, and consent is given to the policy version the server names.
import { CanvaError } from "@canva/error";
import type { ErrorCode } from "@canva/error";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { createApiClient } from "../src/api/client";
import { newIdempotencyKey } from "../src/api/idempotency-key";
import { describeError } from "../src/errors/error-messages";
import { aMe } from "./helpers";

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
