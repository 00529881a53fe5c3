// The configuration schema: defaults, parsing and errors that name the variable.
import { describe, expect, it } from "vitest";
import { DEV_APP_ID } from "../../src/auth/dev-issuer";
import { ConfigError, loadConfig } from "../../src/config/config";
import { DEV_FILE_URL_SECRET } from "../../src/config/deployment-rules";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("loadConfig", () => {
  it("runs on the embedded default with nothing set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3001,
      NODE_ENV: "development",
      ENGINES: ["studio"],
      STORAGE: "fs",
      FREE_CREDITS: 3,
      BILLING_MODE: "credits",
      OUTPUT_RETENTION_DAYS: 30,
      JOB_LOG_RETENTION_DAYS: 90,
      MAX_UPLOAD_MB: 15,
      UPLOAD_TIMEOUT_S: 120,
      UPLOAD_MIN_BYTES_PER_S: 16_384,
      UPLOADS_PER_USER: 2,
      UPLOADS_IN_FLIGHT: 16,
      REMOTE_ENGINE_RECONCILE_EVERY_S: 10,
      REMOTE_ENGINE_LATE_CALLBACK_S: 60,
      devAuth: true,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.CREDIT_PACKS.map((p) => p.credits)).toEqual([10, 30, 100]);
    expect(config.RATE_LIMITS.generation).toEqual({ limit: 10, windowMs: 60_000 });
  });

  it("names the variable of every bad value", () => {
    expect(problems({ PORT: "eighty" })[0]).toMatch(/^PORT:/);
    expect(problems({ DATABASE_URL: "mysql://x" })[0]).toMatch(/^DATABASE_URL: must be a postgres/);
    expect(problems({ JWT_LEEWAY_S: "6" })[0]).toMatch(/^JWT_LEEWAY_S:/);
    expect(problems({ BILLING_MODE: "free" })[0]).toMatch(/^BILLING_MODE:/);
    expect(problems({ CREDIT_PACKS: "[]" })[0]).toMatch(/^CREDIT_PACKS:/);
    expect(problems({ RATE_LIMITS: "generation=lots" })[0]).toMatch(/^RATE_LIMITS:/);
    expect(problems({ CORS_EXTRA_ORIGINS: "not a url" })[0]).toMatch(/^CORS_EXTRA_ORIGINS/);
    expect(problems({ FILE_URL_SECRET: "short" })[0]).toMatch(/^FILE_URL_SECRET:/);
    expect(problems({ METRICS_TOKEN: "guessable" })[0]).toMatch(/^METRICS_TOKEN: must be at least 32/);
    expect(problems({ UPLOAD_TIMEOUT_S: "0" })[0]).toMatch(/^UPLOAD_TIMEOUT_S:/);
    expect(problems({ UPLOAD_MIN_BYTES_PER_S: "-1" })[0]).toMatch(/^UPLOAD_MIN_BYTES_PER_S:/);
    expect(problems({ UPLOADS_PER_USER: "0" })[0]).toMatch(/^UPLOADS_PER_USER:/);
    expect(problems({ REMOTE_ENGINE_LATE_CALLBACK_S: "0" })[0]).toMatch(/^REMOTE_ENGINE_LATE_CALLBACK_S:/);
    expect(problems({ S3_ACCESS_KEY_ID: "AKIAONLY" })[0]).toMatch(/^S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/);
  });

  it("lists every problem at once", () => {
    expect(problems({ PORT: "x", LOG_LEVEL: "loud" })).toHaveLength(2);
  });

  it("refuses production without a Canva app id, a file URL secret or a public URL", () => {
    const found = problems({ NODE_ENV: "production" });
    expect(found.some((p) => p.startsWith("CANVA_APP_ID"))).toBe(true);
    expect(found.some((p) => p.startsWith("FILE_URL_SECRET"))).toBe(true);
    expect(found.some((p) => p.startsWith("PUBLIC_BASE_URL"))).toBe(true);
  });

  it("never enables development auth in production or with an app id", () => {
    const production = loadConfig({
      NODE_ENV: "production",
      CANVA_APP_ID: "AAF123",
      FILE_URL_SECRET: "x".repeat(32),
      PUBLIC_BASE_URL: "https://api.example.com",
    });
    expect(production.devAuth).toBe(false);
    expect(loadConfig({ CANVA_APP_ID: "AAF123", FILE_URL_SECRET: "y".repeat(32) }).devAuth).toBe(false);
  });

  it("binds loopback only under development auth", () => {
    expect(loadConfig({}).listenHost).toBe("127.0.0.1");
    expect(
      loadConfig({ CANVA_APP_ID: "AAF123", FILE_URL_SECRET: "y".repeat(32) }).listenHost,
    ).toBeUndefined();
  });

  it("refuses the development link secret as soon as real Canva tokens are in use", () => {
    expect(problems({ CANVA_APP_ID: "AAF123" })[0]).toMatch(/^FILE_URL_SECRET:/);
    expect(problems({ CANVA_APP_ID: "AAF123", FILE_URL_SECRET: DEV_FILE_URL_SECRET })).toEqual([
      "FILE_URL_SECRET: is the development value, public in this repository; set a secret of your own",
    ]);
  });

  it("refuses every development-only value in production, naming each variable", () => {
    const PRODUCTION = {
      NODE_ENV: "production",
      CANVA_APP_ID: "AAF123",
      FILE_URL_SECRET: "x".repeat(32),
      PUBLIC_BASE_URL: "https://api.example.com",
    };
    expect(problems(PRODUCTION)).toEqual([]);
    const refused = (change: Record<string, string>) => problems({ ...PRODUCTION, ...change });
    expect(refused({ FILE_URL_SECRET: DEV_FILE_URL_SECRET })).toEqual([
      expect.stringMatching(/^FILE_URL_SECRET: is the development value/),
    ]);
    expect(refused({ CANVA_APP_ID: DEV_APP_ID })).toEqual([
      expect.stringMatching(/^CANVA_APP_ID: "dev-headshot-studio" is the development app id/),
    ]);
    expect(refused({ CANVA_JWKS_URL: "http://127.0.0.1:9999/jwks" })).toEqual([
      expect.stringMatching(/^CANVA_JWKS_URL: must be an https:\/\/ URL/),
    ]);
    for (const url of ["http://api.example.com", "https://localhost:3001", "https://127.0.0.1"]) {
      expect(refused({ PUBLIC_BASE_URL: url })).toEqual([
        expect.stringMatching(/^PUBLIC_BASE_URL: must be a public https:\/\/ URL/),
      ]);
    }
    expect(refused({ STRIPE_API_BASE: "http://127.0.0.1:12111" })).toEqual([
      expect.stringMatching(/^STRIPE_API_BASE: points the Stripe client at a test fake/),
    ]);
  });

  it("parses rate limits and packs", () => {
    const config = loadConfig({
      TRUST_PROXY_HOPS: "1",
      RATE_LIMITS: "generation=100/min, auth_failure=5/s",
      CREDIT_PACKS: JSON.stringify([{ id: "one", name: "One", credits: 1, priceCents: 100 }]),
    });
    expect(config.TRUST_PROXY_HOPS).toBe(1);
    expect(config.RATE_LIMITS.generation).toEqual({ limit: 100, windowMs: 60_000 });
    expect(config.RATE_LIMITS.auth_failure).toEqual({ limit: 5, windowMs: 1000 });
    expect(config.RATE_LIMITS.checkout).toEqual({ limit: 10, windowMs: 60_000 });
    expect(config.CREDIT_PACKS).toEqual([
      { id: "one", name: "One", credits: 1, priceCents: 100, currency: "usd" },
    ]);
  });
});
