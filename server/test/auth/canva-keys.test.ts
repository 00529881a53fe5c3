// The JWKS key source: caching, unknown-kid refresh limits, rotation and outage behaviour.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createJwksKeySource, type KeySource } from "../../src/auth/canva-keys";
import { ApiError } from "../../src/http/api-error";
import {
  createClock,
  createTestKey,
  jwksOf,
  startJwksServer,
  type JwksServer,
  type TestClock,
  type TestKey,
} from "./harness";

let key1: TestKey;
let key2: TestKey;
let jwks: JwksServer;
let clock: TestClock;
let keys: KeySource;

beforeAll(async () => {
  [key1, key2] = await Promise.all([createTestKey("key-1"), createTestKey("key-2")]);
});

beforeEach(async () => {
  jwks = await startJwksServer({ kind: "ok", jwks: jwksOf(key1) });
  clock = createClock();
  keys = createJwksKeySource({ url: jwks.url, now: clock.now });
});

afterEach(async () => {
  await jwks.close();
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("createJwksKeySource", () => {
  it("fetches once and serves keys from the cache for 60 minutes", async () => {
    await keys.getKey("key-1");
    clock.advance(59 * 60_000);
    await keys.getKey("key-1");
    expect(jwks.requests).toBe(1);
  });

  it("refetches the key set once it is 60 minutes old", async () => {
    await keys.getKey("key-1");
    clock.advance(60 * 60_000);
    await keys.getKey("key-1");
    expect(jwks.requests).toBe(2);
  });

  it("drops a key Canva no longer publishes at the 60-minute refresh", async () => {
    await keys.getKey("key-1");
    jwks.answer({ kind: "ok", jwks: jwksOf(key2) });
    clock.advance(60 * 60_000);
    expect((await rejection(keys.getKey("key-1"))).reason).toBe("TOKEN_INVALID");
  });

  it("picks up a rotated key through an unknown-kid refresh", async () => {
    await keys.getKey("key-1");
    jwks.answer({ kind: "ok", jwks: jwksOf(key1, key2) });
    clock.advance(30_000);
    await expect(keys.getKey("key-2")).resolves.toBeDefined();
    expect(jwks.requests).toBe(2);
  });

  it("refreshes for unknown kids at most once per 30 s", async () => {
    await keys.getKey("key-1");
    clock.advance(30_000);
    await rejection(keys.getKey("nope-1"));
    clock.advance(29_999);
    await rejection(keys.getKey("nope-2"));
    expect(jwks.requests).toBe(2);
    clock.advance(1);
    await rejection(keys.getKey("nope-3"));
    expect(jwks.requests).toBe(3);
  });

  it("shares one in-flight fetch between concurrent callers", async () => {
    const results = await Promise.allSettled([
      keys.getKey("key-1"),
      keys.getKey("key-1"),
      keys.getKey("unknown-a"),
      keys.getKey("unknown-b"),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
    ]);
    expect(jwks.requests).toBe(1);
  });

  it("answers 401 TOKEN_INVALID when the JWKS was fetched fine and has no such kid", async () => {
    const error = await rejection(keys.getKey("key-9"));
    expect(error.status).toBe(401);
    expect(error.reason).toBe("TOKEN_INVALID");
  });

  it.each([
    ["a non-200 answer", { kind: "status", status: 502 }],
    ["a body that is not JSON", { kind: "bad-json" }],
    ["a reset connection", { kind: "reset" }],
    ["JSON without keys", { kind: "ok", jwks: {} }],
  ] as const)("treats %s as an outage: 503 with Retry-After, never a key", async (_, answer) => {
    jwks.answer(answer as Parameters<JwksServer["answer"]>[0]);
    const error = await rejection(keys.getKey("key-1"));
    expect(error.status).toBe(503);
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.headers["Retry-After"]).toBe("30");
  });

  it("during an outage keeps serving cached keys past max age, retrying at most every 30 s", async () => {
    const original = await keys.getKey("key-1");
    jwks.answer({ kind: "status", status: 500 });
    clock.advance(2 * 60 * 60_000);
    expect(await keys.getKey("key-1")).toBe(original);
    clock.advance(10_000);
    expect(await keys.getKey("key-1")).toBe(original);
    expect(jwks.requests).toBe(2);

    // An unknown kid during the outage is the outage's fault, not the token's.
    const error = await rejection(keys.getKey("key-2"));
    expect(error.status).toBe(503);
    expect(error.headers["Retry-After"]).toBe("20");
  });

  it("recovers after an outage once the cooldown has passed", async () => {
    jwks.answer({ kind: "status", status: 500 });
    await rejection(keys.getKey("key-1"));
    jwks.answer({ kind: "ok", jwks: jwksOf(key1) });
    clock.advance(30_000);
    await expect(keys.getKey("key-1")).resolves.toBeDefined();
  });

  it("accepts only RSA signing keys for RS256", async () => {
    const jwk = key1.publicJwk;
    jwks.answer({
      kind: "ok",
      jwks: {
        keys: [
          { ...jwk, kid: "rs256" },
          { ...jwk, kid: "no-alg-no-use", alg: undefined, use: undefined },
          { ...jwk, kid: "rs512", alg: "RS512" },
          { ...jwk, kid: "ps256", alg: "PS256" },
          { ...jwk, kid: "enc", use: "enc" },
          { kty: "oct", kid: "oct", k: "c2VjcmV0", alg: "HS256" },
          { kty: "EC", kid: "ec", crv: "P-256", x: "x", y: "y", alg: "ES256" },
          { ...jwk, kid: "broken", n: "not-a-modulus" },
        ],
      },
    });
    await expect(keys.getKey("rs256")).resolves.toBeDefined();
    await expect(keys.getKey("no-alg-no-use")).resolves.toBeDefined();
    for (const kid of ["rs512", "ps256", "enc", "oct", "ec", "broken"]) {
      expect((await rejection(keys.getKey(kid))).reason).toBe("TOKEN_INVALID");
    }
  });

  it("gives up on a hanging JWKS after fetchTimeoutMs and reports the failure", async () => {
    const failures: unknown[] = [];
    const hanging = createJwksKeySource({
      url: "http://jwks.invalid/jwks",
      now: clock.now,
      fetchTimeoutMs: 20,
      onFetchError: (error) => failures.push(error),
      fetch: (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    });
    expect((await rejection(hanging.getKey("key-1"))).status).toBe(503);
    expect(failures).toHaveLength(1);
  });
});
