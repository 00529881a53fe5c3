// SPEC §5.1 token cases, one test each, through canvaAuth on a tiny app against a loopback JWKS.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { base64url, exportSPKI, SignJWT, UnsecuredJWT } from "jose";
import { createJwksKeySource } from "../../src/auth/canva-keys";
import { createCanvaTokenVerifier } from "../../src/auth/verify-canva-token";
import {
  APP_ID,
  bearer,
  buildApp,
  canvaClaims,
  createClock,
  createTestKey,
  jwksOf,
  signToken,
  startJwksServer,
  type ErrorResponseBody,
  type JwksServer,
  type TestClock,
  type TestKey,
} from "./harness";

let key: TestKey;
let otherKey: TestKey;
let jwks: JwksServer;
let clock: TestClock;
let onFailure: Mock<() => void>;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  key = await createTestKey("key-1");
  otherKey = await createTestKey("key-2");
});

beforeEach(async () => {
  jwks = await startJwksServer({ kind: "ok", jwks: jwksOf(key) });
  clock = createClock();
  onFailure = vi.fn<() => void>();
  const keys = createJwksKeySource({ url: jwks.url, now: clock.now });
  const verifier = createCanvaTokenVerifier({ appId: APP_ID, keys, now: clock.now });
  app = buildApp({ verifier, onFailure });
});

afterEach(async () => {
  await jwks.close();
});

async function expectUnauthorized(response: Response, reason: string) {
  expect(response.status).toBe(401);
  const body = (await response.json()) as ErrorResponseBody;
  expect(body.error).toMatchObject({ code: "UNAUTHORIZED", reason });
  expect(onFailure).toHaveBeenCalledTimes(1);
}

function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

describe("canvaAuth", () => {
  it("accepts a valid token and exposes the caller as `identity`", async () => {
    const token = await signToken(key, canvaClaims(clock));
    const response = await app.request("/v1/me", { headers: { Authorization: `bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      identity: { userId: "user-1", brandId: "brand-1", billableActions: [] },
    });
    expect(onFailure).not.toHaveBeenCalled();
  });

  it("missing header → 401 TOKEN_MISSING", async () => {
    await expectUnauthorized(await app.request("/v1/me"), "TOKEN_MISSING");
  });

  it("not Bearer → 401 TOKEN_INVALID", async () => {
    const token = await signToken(key, canvaClaims(clock));
    const response = await app.request("/v1/me", { headers: { Authorization: `Basic ${token}` } });
    await expectUnauthorized(response, "TOKEN_INVALID");
  });

  it("empty token → 401 TOKEN_INVALID", async () => {
    const response = await app.request("/v1/me", { headers: { Authorization: "Bearer " } });
    await expectUnauthorized(response, "TOKEN_INVALID");
  });

  it("bad alphabet → 401 TOKEN_INVALID without touching the JWKS", async () => {
    const token = await signToken(key, canvaClaims(clock));
    await expectUnauthorized(await app.request("/v1/me", bearer(`${token}$`)), "TOKEN_INVALID");
    expect(jwks.requests).toBe(0);
  });

  it("no kid → 401 TOKEN_INVALID without touching the JWKS", async () => {
    const token = await signToken(key, canvaClaims(clock), { kid: undefined });
    await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
    expect(jwks.requests).toBe(0);
  });

  it("unknown kid → one JWKS refresh, then 401 TOKEN_INVALID; another unknown kid within 30 s does not refetch", async () => {
    await app.request("/v1/me", bearer(await signToken(key, canvaClaims(clock))));
    expect(jwks.requests).toBe(1);
    clock.advance(30_000);

    const unknown = await signToken(otherKey, canvaClaims(clock));
    await expectUnauthorized(await app.request("/v1/me", bearer(unknown)), "TOKEN_INVALID");
    expect(jwks.requests).toBe(2);

    clock.advance(29_000);
    const alsoUnknown = await signToken(otherKey, canvaClaims(clock), { kid: "key-3" });
    const response = await app.request("/v1/me", bearer(alsoUnknown));
    expect(response.status).toBe(401);
    expect(jwks.requests).toBe(2);
  });

  it("wrong aud → 401 TOKEN_INVALID", async () => {
    const token = await signToken(key, canvaClaims(clock, { aud: "AAFsomeOtherApp" }));
    await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
  });

  it("expired by 1 s (leeway 0) → 401 TOKEN_EXPIRED", async () => {
    const token = await signToken(key, canvaClaims(clock, { exp: clock.seconds() - 1 }));
    await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_EXPIRED");
  });

  it("nbf in the future → 401 TOKEN_INVALID", async () => {
    const token = await signToken(key, canvaClaims(clock, { nbf: clock.seconds() + 1 }));
    await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
  });

  it("alg none → 401 TOKEN_INVALID", async () => {
    const unsecured = new UnsecuredJWT(canvaClaims(clock)).encode();
    const [, payload] = unsecured.split(".");
    const withKid = `${encodeSegment({ alg: "none", typ: "JWT", kid: key.kid })}.${payload}.`;
    for (const token of [unsecured, withKid]) {
      onFailure.mockClear();
      await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
    }
  });

  it("HS256 signed with the public key → 401 TOKEN_INVALID", async () => {
    const secrets = [
      new TextEncoder().encode(await exportSPKI(key.publicKey)),
      new TextEncoder().encode(JSON.stringify(key.publicJwk)),
    ];
    for (const secret of secrets) {
      const token = await new SignJWT(canvaClaims(clock))
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: key.kid })
        .sign(secret);
      onFailure.mockClear();
      await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
    }
  });

  it("tampered payload → 401 TOKEN_INVALID", async () => {
    const [header, , signature] = (await signToken(key, canvaClaims(clock))).split(".");
    const forged = `${header}.${encodeSegment(canvaClaims(clock, { userId: "someone-else" }))}.${signature}`;
    await expectUnauthorized(await app.request("/v1/me", bearer(forged)), "TOKEN_INVALID");
  });

  it("missing userId → 401 TOKEN_INVALID", async () => {
    const token = await signToken(key, canvaClaims(clock, { userId: undefined }));
    await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
  });

  it("missing brandId → 401 TOKEN_INVALID", async () => {
    const token = await signToken(key, canvaClaims(clock, { brandId: undefined }));
    await expectUnauthorized(await app.request("/v1/me", bearer(token)), "TOKEN_INVALID");
  });

  it("JWKS down with a cached key → 200, even past the cache's max age", async () => {
    const first = await signToken(key, canvaClaims(clock));
    expect((await app.request("/v1/me", bearer(first))).status).toBe(200);

    jwks.answer({ kind: "status", status: 503 });
    clock.advance(61 * 60_000);
    const later = await signToken(key, canvaClaims(clock));
    expect((await app.request("/v1/me", bearer(later))).status).toBe(200);
    expect(jwks.requests).toBe(2);
  });

  it("JWKS down without a cached key → 503 UNAVAILABLE with Retry-After (not 401, not 200)", async () => {
    jwks.answer({ kind: "status", status: 500 });
    const token = await signToken(key, canvaClaims(clock));
    const response = await app.request("/v1/me", bearer(token));
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await response.json()) as ErrorResponseBody).error.code).toBe("UNAVAILABLE");
    expect(onFailure).not.toHaveBeenCalled();
  });
});
