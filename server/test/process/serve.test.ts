// `npm run serve` as production runs it: a real process configured by environment, verifying
// RS256 Canva tokens against a JWKS over HTTP, and refusing to start on bad configuration.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_FILE_URL_SECRET } from "../../src/config/deployment-rules";
import { startCanvaIssuer, type CanvaIssuer } from "./canva-issuer";
import { runServer, stopServer, waitUntilReady, type ServerProcess } from "./server-process";

const APP_ID = "AAFtestApp1";

let issuer: CanvaIssuer;
let server: ServerProcess;
let base: string;
let dataDir: string;

beforeAll(async () => {
  issuer = await startCanvaIssuer();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-serve-"));
  server = runServer({
    DATA_DIR: dataDir,
    CANVA_APP_ID: APP_ID,
    CANVA_JWKS_URL: issuer.jwksUrl,
    FILE_URL_SECRET: "serve-test-file-url-secret-0123456789",
  });
  base = server.base;
  await waitUntilReady(server);
});

afterAll(async () => {
  if (server) await stopServer(server);
  await issuer?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run serve with CANVA_APP_ID and CANVA_JWKS_URL", () => {
  it("accepts an RS256 token signed by a key in that JWKS with aud = the app id", async () => {
    const token = await issuer.sign({ aud: APP_ID, userId: "u1", brandId: "b1" });
    const res = await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { credits: { balance: number } }).credits.balance).toBe(3);
  });

  it("rejects every forged variant", async () => {
    const good = await issuer.sign({ aud: APP_ID, userId: "u1", brandId: "b1" });
    const [h, p, s] = good.split(".") as [string, string, string];
    const other = await generateKeyPair("RS256");
    const forged = {
      "wrong audience": await issuer.sign({ aud: "someone-else", userId: "u1", brandId: "b1" }),
      "unknown kid": await issuer.sign({ aud: APP_ID, userId: "u1", brandId: "b1" }, { kid: "k2" }),
      "another key": await new SignJWT({ aud: APP_ID, userId: "u1", brandId: "b1" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .sign(other.privateKey),
      "tampered payload": `${h}.${Buffer.from(JSON.stringify({ aud: APP_ID, userId: "admin", brandId: "b1" })).toString("base64url")}.${s}`,
      "alg none": `${Buffer.from('{"alg":"none","kid":"k1"}').toString("base64url")}.${p}.`,
      "no brand": await issuer.sign({ aud: APP_ID, userId: "u1" }),
    };
    for (const [name, token] of Object.entries(forged)) {
      const res = await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status, name).toBe(401);
    }
  });

  it("has no development token endpoint", async () => {
    const res = await fetch(`${base}/dev/token`, { method: "POST" });
    expect(res.status).toBe(404);
  });
});

describe("start-up refusals", () => {
  it("refuses production without CANVA_APP_ID, naming it", async () => {
    const refused = runServer({ NODE_ENV: "production", DATA_DIR: dataDir });
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toContain("CANVA_APP_ID");
  });

  it("refuses production with the development FILE_URL_SECRET, saying why", async () => {
    const refused = runServer({
      NODE_ENV: "production",
      DATA_DIR: dataDir,
      CANVA_APP_ID: APP_ID,
      PUBLIC_BASE_URL: "https://api.example.com",
      FILE_URL_SECRET: DEV_FILE_URL_SECRET,
    });
    expect(await refused.exited).toBe(78);
    expect(refused.output()).toContain(
      "FILE_URL_SECRET: is the development value, public in this repository",
    );
  });

  it("refuses a bad value, naming the variable", async () => {
    const refused = runServer({ PORT: "not-a-port", DATA_DIR: dataDir });
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toContain("PORT");
  });
});
