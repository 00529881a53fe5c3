// Development auth (SPEC §5.3): tokens from the dev issuer pass the real verifier; the rule for when
// dev auth may run; the /dev routes.
import { beforeAll, describe, expect, it } from "vitest";
import { Hono } from "hono";
import { createJwksKeySource } from "../../src/auth/canva-keys";
import {
  assertAuthConfig,
  createDevIssuer,
  DEV_APP_ID,
  isDevAuthAllowed,
  registerDevAuthRoutes,
  type DevIssuer,
} from "../../src/auth/dev-issuer";
import { createCanvaTokenVerifier } from "../../src/auth/verify-canva-token";
import { ApiError } from "../../src/http/api-error";
import { bearer, buildApp, createClock } from "./harness";

let issuer: DevIssuer;
const clock = createClock();

beforeAll(async () => {
  issuer = await createDevIssuer({ appId: DEV_APP_ID, now: clock.now });
});

function devApp() {
  const app = new Hono();
  app.onError((error, c) => {
    if (!(error instanceof ApiError)) throw error;
    return c.json({ error: { code: error.code, message: error.message } }, error.status);
  });
  registerDevAuthRoutes(app, issuer);
  return app;
}

describe("dev issuer", () => {
  it("issues tokens that verify against its own key source", async () => {
    const verifier = createCanvaTokenVerifier({
      appId: DEV_APP_ID,
      keys: issuer.keys,
      now: clock.now,
    });
    const token = await issuer.issueToken({
      userId: "u",
      brandId: "b",
      billableActions: ["generate_image"],
    });
    await expect(verifier.verify(token)).resolves.toEqual({
      userId: "u",
      brandId: "b",
      billableActions: ["generate_image"],
    });
  });

  it("serves a JWKS the normal JWKS key source can verify against", async () => {
    const app = devApp();
    const keys = createJwksKeySource({
      url: "http://localhost/dev/jwks.json",
      now: clock.now,
      fetch: async (input, init) => app.request(String(input), init),
    });
    const verifier = createCanvaTokenVerifier({ appId: DEV_APP_ID, keys, now: clock.now });
    const { keys: published } = (await (await app.request("/dev/jwks.json")).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(published).toEqual([
      expect.objectContaining({ kid: issuer.kid, kty: "RSA", alg: "RS256", use: "sig" }),
    ]);
    expect(published[0]).not.toHaveProperty("d");

    const token = await issuer.issueToken({ userId: "u", brandId: "b" });
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: "u", brandId: "b" });
  });

  it("hands the preview a token with development defaults from POST /dev/token", async () => {
    const app = devApp();
    const response = await app.request("/dev/token", { method: "POST" });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };

    const authed = buildApp({
      verifier: createCanvaTokenVerifier({ appId: DEV_APP_ID, keys: issuer.keys, now: clock.now }),
    });
    const me = await authed.request("/v1/me", bearer(token));
    expect(await me.json()).toEqual({
      identity: { userId: "dev-user", brandId: "dev-brand", billableActions: [] },
    });
  });

  it("issues tokens for the user, brand and billable actions asked for", async () => {
    const response = await devApp().request("/dev/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        userId: "alice",
        brandId: "team-a",
        billableActions: ["generate_image"],
      }),
    });
    const { token } = (await response.json()) as { token: string };
    const verifier = createCanvaTokenVerifier({
      appId: DEV_APP_ID,
      keys: issuer.keys,
      now: clock.now,
    });
    expect(await verifier.verify(token)).toEqual({
      userId: "alice",
      brandId: "team-a",
      billableActions: ["generate_image"],
    });
  });

  it.each([["{not json"], ['{"userId": 5}'], ['{"billableActions": "all"}'], ["[]"]])(
    "answers 400 to the token request body %s",
    async (body) => {
      const response = await devApp().request("/dev/token", { method: "POST", body });
      expect(response.status).toBe(400);
    },
  );

  it("expires tokens after ttlSeconds (10 minutes by default)", async () => {
    const later = createClock(clock.now());
    const verifier = createCanvaTokenVerifier({
      appId: DEV_APP_ID,
      keys: issuer.keys,
      now: later.now,
      cache: false,
    });
    const token = await issuer.issueToken({ userId: "u", brandId: "b" });
    later.advance(10 * 60_000 - 1000);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    later.advance(1000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: "TOKEN_EXPIRED" });
  });
});

describe("development auth rules", () => {
  it("allows dev auth only without CANVA_APP_ID and outside production", () => {
    expect(isDevAuthAllowed({ canvaAppId: undefined, nodeEnv: "development" })).toBe(true);
    expect(isDevAuthAllowed({ canvaAppId: undefined, nodeEnv: undefined })).toBe(true);
    expect(isDevAuthAllowed({ canvaAppId: "", nodeEnv: "test" })).toBe(true);
    expect(isDevAuthAllowed({ canvaAppId: "AAF123", nodeEnv: "development" })).toBe(false);
    expect(isDevAuthAllowed({ canvaAppId: undefined, nodeEnv: "production" })).toBe(false);
  });

  it("refuses to start in production without CANVA_APP_ID", () => {
    expect(() => assertAuthConfig({ canvaAppId: undefined, nodeEnv: "production" })).toThrow(/CANVA_APP_ID/);
    expect(() => assertAuthConfig({ canvaAppId: "", nodeEnv: "production" })).toThrow(/CANVA_APP_ID/);
    expect(() => assertAuthConfig({ canvaAppId: "AAF123", nodeEnv: "production" })).not.toThrow();
    expect(() => assertAuthConfig({ canvaAppId: undefined, nodeEnv: "development" })).not.toThrow();
  });
});
