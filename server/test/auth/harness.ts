// Test harness for auth: RSA test keys, token signing, an injected clock, a loopback JWKS server
// whose answers a test can switch, and a tiny Hono app behind canvaAuth.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from "jose";
import { canvaAuth, type CanvaAuthOptions, type CanvaAuthVariables } from "../../src/auth/canva-auth";
import { ApiError } from "../../src/http/api-error";

export const APP_ID = "AAFtestApp123";
export const T0 = Date.UTC(2030, 0, 1);

export function createClock(start = T0) {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
    seconds: () => Math.floor(current / 1000),
  };
}
export type TestClock = ReturnType<typeof createClock>;

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function createTestKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicKey, publicJwk };
}

export function jwksOf(...keys: TestKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

/** Claims a valid Canva user token carries at `clock`'s time; override or drop (undefined) any. */
export function canvaClaims(clock: TestClock, overrides: Record<string, unknown> = {}): JWTPayload {
  const claims: Record<string, unknown> = {
    aud: APP_ID,
    userId: "user-1",
    brandId: "brand-1",
    iat: clock.seconds(),
    exp: clock.seconds() + 300,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

export function signToken(
  key: TestKey,
  claims: JWTPayload,
  header: { kid?: string | undefined } = { kid: key.kid },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", ...header }).sign(key.privateKey);
}

export type JwksAnswer =
  | { kind: "ok"; jwks: JSONWebKeySet }
  | { kind: "status"; status: number }
  | { kind: "bad-json" }
  | { kind: "reset" };

/** A real HTTP JWKS endpoint on 127.0.0.1; `answer` decides what the next request gets. */
export async function startJwksServer(initial: JwksAnswer) {
  let answer = initial;
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    switch (answer.kind) {
      case "ok":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer.jwks));
        return;
      case "status":
        res.writeHead(answer.status, { "content-type": "text/plain" }).end("down");
        return;
      case "bad-json":
        res.writeHead(200, { "content-type": "application/json" }).end("{not json");
        return;
      case "reset":
        res.socket?.destroy();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/rest/v1/apps/${APP_ID}/jwks`,
    get requests() {
      return requests;
    },
    answer(next: JwksAnswer) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>;

/** A route behind canvaAuth that echoes the identity, with the app's error rendering in small. */
export function buildApp(options: CanvaAuthOptions) {
  const app = new Hono<{ Variables: CanvaAuthVariables }>();
  app.onError((error, c) => {
    if (!(error instanceof ApiError)) throw error;
    const { code, message, reason } = error;
    return c.json({ error: { code, message, requestId: "test", reason } }, error.status, error.headers);
  });
  app.use("/v1/*", canvaAuth(options));
  app.get("/v1/me", (c) => c.json({ identity: c.get("identity") }));
  return app;
}

export function bearer(token: string): RequestInit {
  return { headers: { Authorization: `Bearer ${token}` } };
}

export interface ErrorResponseBody {
  error: { code: string; message: string; requestId: string; reason?: string };
}
