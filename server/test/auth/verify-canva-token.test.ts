// The token verifier on its own: leeway, strict aud, claims, billableActions, the verified-token cache.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeySource } from "../../src/auth/canva-keys";
import { createCanvaTokenVerifier } from "../../src/auth/verify-canva-token";
import { ApiError } from "../../src/http/api-error";
import {
  APP_ID,
  canvaClaims,
  createClock,
  createTestKey,
  signToken,
  type TestClock,
  type TestKey,
} from "./harness";

let key: TestKey;
let clock: TestClock;
let keyLookups: number;
let keys: KeySource;

beforeAll(async () => {
  key = await createTestKey("key-1");
});

beforeEach(() => {
  clock = createClock();
  keyLookups = 0;
  keys = {
    async getKey(kid) {
      keyLookups += 1;
      if (kid === key.kid) return key.publicKey;
      throw new ApiError("UNAUTHORIZED", "unknown kid", { reason: "TOKEN_INVALID" });
    },
  };
});

function verifier(options: { leewaySeconds?: number; cache?: false } = {}) {
  return createCanvaTokenVerifier({ appId: APP_ID, keys, now: clock.now, ...options });
}

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return (error as ApiError).reason;
}

describe("createCanvaTokenVerifier", () => {
  it("parses billableActions when present and defaults to []", async () => {
    const verify = verifier().verify;
    const premium = await signToken(
      key,
      canvaClaims(clock, { billableActions: ["generate_image", 7, "export"] }),
    );
    expect(await verify(premium)).toEqual({
      userId: "user-1",
      brandId: "brand-1",
      billableActions: ["generate_image", "export"],
    });
    const malformed = await signToken(key, canvaClaims(clock, { billableActions: "generate_image" }));
    expect((await verify(malformed)).billableActions).toEqual([]);
  });

  it("applies the configured leeway to exp and nbf", async () => {
    const verify = verifier({ leewaySeconds: 2, cache: false }).verify;
    const justExpired = await signToken(key, canvaClaims(clock, { exp: clock.seconds() - 1 }));
    const justEarly = await signToken(key, canvaClaims(clock, { nbf: clock.seconds() + 2 }));
    await expect(verify(justExpired)).resolves.toMatchObject({ userId: "user-1" });
    await expect(verify(justEarly)).resolves.toMatchObject({ userId: "user-1" });
    const longExpired = await signToken(key, canvaClaims(clock, { exp: clock.seconds() - 2 }));
    expect(await reasonOf(verify(longExpired))).toBe("TOKEN_EXPIRED");
  });

  it("refuses a leeway outside 0..5 s", () => {
    expect(() => verifier({ leewaySeconds: 6 })).toThrow(/leeway/);
    expect(() => verifier({ leewaySeconds: -1 })).toThrow(/leeway/);
  });

  it("requires aud to equal the app id, not merely contain it", async () => {
    const token = await signToken(key, canvaClaims(clock, { aud: [APP_ID, "other"] }));
    expect(await reasonOf(verifier().verify(token))).toBe("TOKEN_INVALID");
  });

  it("rejects empty userId and a missing aud", async () => {
    const verify = verifier().verify;
    const emptyUser = await signToken(key, canvaClaims(clock, { userId: "" }));
    const noAud = await signToken(key, canvaClaims(clock, { aud: undefined }));
    expect(await reasonOf(verify(emptyUser))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(noAud))).toBe("TOKEN_INVALID");
  });

  it("serves a verified token from the cache without checking the signature again", async () => {
    const verify = verifier().verify;
    const token = await signToken(key, canvaClaims(clock));
    await verify(token);
    await verify(token);
    expect(keyLookups).toBe(1);
  });

  it("never serves a token from the cache past its exp", async () => {
    const verify = verifier().verify;
    const token = await signToken(key, canvaClaims(clock, { exp: clock.seconds() + 60 }));
    await verify(token);
    clock.advance(60_000);
    expect(await reasonOf(verify(token))).toBe("TOKEN_EXPIRED");
    expect(keyLookups).toBe(2);
  });

  it("re-verifies a cached token after at most 5 minutes", async () => {
    const verify = verifier().verify;
    const token = await signToken(key, canvaClaims(clock, { exp: clock.seconds() + 3600 }));
    await verify(token);
    clock.advance(5 * 60_000 - 1);
    await verify(token);
    expect(keyLookups).toBe(1);
    clock.advance(1);
    await verify(token);
    expect(keyLookups).toBe(2);
  });

  it("does not cache failures", async () => {
    const verify = verifier().verify;
    const wrongAud = await signToken(key, canvaClaims(clock, { aud: "other" }));
    await reasonOf(verify(wrongAud));
    await reasonOf(verify(wrongAud));
    expect(keyLookups).toBe(2);
  });
});
