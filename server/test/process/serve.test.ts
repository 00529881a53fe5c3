// `npm run serve` as production runs it: a real process configured by environment, verifying
// RS256 Canva tokens against a JWKS over HTTP, and refusing to start on bad configuration.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));
const TSX = path.join(SERVER_DIR, "../node_modules/.bin/tsx");
const APP_ID = "AAFtestApp1";

let jwksServer: Server;
let jwksUrl: string;
let privateKey: CryptoKey;
let publicJwk: JWK;
let child: ChildProcess;
let base: string;
let dataDir: string;

function run(env: Record<string, string>): ChildProcess {
  return spawn(TSX, ["src/main.ts"], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exitOf(proc: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  proc.stdout?.on("data", (d) => (output += d));
  proc.stderr?.on("data", (d) => (output += d));
  return new Promise((resolve) => proc.on("exit", (code) => resolve({ code, output })));
}

async function waitForHealth(url: string, proc: ChildProcess) {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error("server exited early");
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server did not become ready");
}

async function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "k1", ...header })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwksServer = createServer((_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", () => r()));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;

  dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-serve-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  base = `http://127.0.0.1:${port}`;
  child = run({ PORT: String(port), DATA_DIR: dataDir, CANVA_APP_ID: APP_ID, CANVA_JWKS_URL: jwksUrl });
  await waitForHealth(base, child);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  jwksServer?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run serve with CANVA_APP_ID and CANVA_JWKS_URL", () => {
  it("accepts an RS256 token signed by a key in that JWKS with aud = the app id", async () => {
    const token = await sign({ aud: APP_ID, userId: "u1", brandId: "b1" });
    const res = await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { credits: { balance: number } }).credits.balance).toBe(3);
  });

  it("rejects every forged variant", async () => {
    const good = await sign({ aud: APP_ID, userId: "u1", brandId: "b1" });
    const [h, p, s] = good.split(".") as [string, string, string];
    const other = await generateKeyPair("RS256");
    const forged = {
      "wrong audience": await sign({ aud: "someone-else", userId: "u1", brandId: "b1" }),
      "unknown kid": await sign({ aud: APP_ID, userId: "u1", brandId: "b1" }, { kid: "k2" }),
      "another key": await new SignJWT({ aud: APP_ID, userId: "u1", brandId: "b1" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .sign(other.privateKey),
      "tampered payload": `${h}.${Buffer.from(JSON.stringify({ aud: APP_ID, userId: "admin", brandId: "b1" })).toString("base64url")}.${s}`,
      "alg none": `${Buffer.from('{"alg":"none","kid":"k1"}').toString("base64url")}.${p}.`,
      "no brand": await sign({ aud: APP_ID, userId: "u1" }),
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
    const { code, output } = await exitOf(run({ NODE_ENV: "production", DATA_DIR: dataDir }));
    expect(code).not.toBe(0);
    expect(output).toContain("CANVA_APP_ID");
  });

  it("refuses a bad value, naming the variable", async () => {
    const { code, output } = await exitOf(run({ PORT: "not-a-port", DATA_DIR: dataDir }));
    expect(code).not.toBe(0);
    expect(output).toContain("PORT");
  });
});
