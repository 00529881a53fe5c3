// The process configuration (SPEC §12): every environment variable, parsed and validated by one
// zod schema. A bad value stops start-up with a message naming the variable.
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { ENGINE_IDS } from "@headshot/shared";
import { DEV_APP_ID } from "../auth/dev-issuer";
import { fromRepo } from "../locations";
import { parseCreditPacks, DEFAULT_CREDIT_PACKS } from "./credit-packs";
import { DEV_FILE_URL_SECRET, deploymentProblems } from "./deployment-rules";
import { parseRateLimits, DEFAULT_RATE_LIMITS } from "./rate-limits";

// `.data/` at the repository root, wherever npm runs the workspace from.
const REPO_DATA_DIR = fromRepo(".data");

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const httpUrl = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .transform((v) => v.replace(/\/+$/, ""));

const originList = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/, message: "must be a comma-separated list of origins" })));

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: int(0, 65535).default(3001),
  PUBLIC_BASE_URL: httpUrl.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
      .optional(),
  ),
  DATA_DIR: z.string().default(REPO_DATA_DIR),

  CANVA_APP_ID: optionalString,
  CANVA_JWKS_URL: optionalString.pipe(httpUrl.optional()),
  CORS_EXTRA_ORIGINS: originList,
  JWT_LEEWAY_S: int(0, 5).default(0),
  TRUST_PROXY_HOPS: int(0, 10).default(0),
  DEV_PREVIEW_ORIGIN: httpUrl.default("http://localhost:8080"),

  /** The engines on offer (SPEC §7.1): `studio` always, `generative` when configured. */
  ENGINES: z
    .string()
    .default("studio")
    .transform((v) => [
      ...new Set(
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.enum(ENGINE_IDS))
        .refine((list) => list.includes("studio"), "must include studio (e.g. `studio,generative`)"),
    ),
  /** `studio`: a generative job whose provider can't be reached at creation runs on the studio engine. */
  ENGINE_FALLBACK: optionalString.pipe(z.enum(["studio"]).optional()),
  GENERATIVE_CREDITS: int(1, 100).default(3),
  // One engine worker per two cores: a job already keeps ~1.4 cores busy (libvips decodes and
  // encodes on its threads beside the pipeline's), so on two cores a second worker adds 10–25 %
  // throughput for ~160 MB more at rest and ~240 MB more at peak (README "Budget per instance").
  GENERATION_CONCURRENCY: int(1, 256).default(Math.max(1, Math.floor(os.availableParallelism() / 2))),
  GENERATION_QUEUE_PER_WORKER: int(0, 1000).default(8),
  GENERATION_TIMEOUT_S: int(5, 3600).default(120),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(100).default(15),
  UPLOAD_TIMEOUT_S: int(1, 3600).default(120),
  UPLOAD_MIN_BYTES_PER_S: int(0, 100_000_000).default(16_384),
  UPLOADS_PER_USER: int(1, 1000).default(2),
  UPLOADS_IN_FLIGHT: int(1, 10_000).default(16),
  SHUTDOWN_TIMEOUT_S: int(1, 600).default(30),

  STORAGE: z.enum(["fs", "s3"]).default("fs"),
  S3_BUCKET: optionalString,
  S3_REGION: optionalString,
  S3_ENDPOINT: optionalString.pipe(httpUrl.optional()),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  FILE_URL_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  FILE_URL_TTL_S: int(60, 7 * 24 * 3600).default(3600),

  OUTPUT_RETENTION_DAYS: int(1, 30).default(30),
  JOB_LOG_RETENTION_DAYS: int(1, 365).default(90),
  FREE_CREDITS: int(0, 1000).default(3),
  BILLING_MODE: z.enum(["credits", "canva_premium"]).default("credits"),
  RATE_LIMITS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return v ? parseRateLimits(v) : DEFAULT_RATE_LIMITS;
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Where rate-limit buckets live; absent → memory on PGlite (one process), else PostgreSQL. */
  RATE_LIMIT_STORE: optionalString.pipe(z.enum(["memory", "postgres"]).optional()),

  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_BASE: optionalString.pipe(httpUrl.optional()),
  CREDIT_PACKS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return v ? parseCreditPacks(v) : DEFAULT_CREDIT_PACKS;
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),

  REMOTE_ENGINE_KIND: optionalString.pipe(z.enum(["cog", "replicate"]).optional()),
  REMOTE_ENGINE_URL: optionalString.pipe(httpUrl.optional()),
  REMOTE_ENGINE_TOKEN: optionalString,
  REMOTE_ENGINE_MODEL: optionalString,
  REMOTE_ENGINE_WEBHOOK_SECRET: optionalString,
  REMOTE_ENGINE_PARALLEL: int(1, 6).default(6),
  REMOTE_ENGINE_TIMEOUT_S: int(30, 3600).default(300),
  /** How often each instance's reconciler runs (SPEC §7.3: every 10 s). */
  REMOTE_ENGINE_RECONCILE_EVERY_S: int(1, 600).default(10),
  /** A callback this late gets its prediction polled (SPEC §7.3: 60 s). */
  REMOTE_ENGINE_LATE_CALLBACK_S: int(1, 3600).default(60),

  METRICS_TOKEN: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  SUPPORT_EMAIL: optionalString.pipe(z.email("must be an email address").optional()),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  /** Absolute DATA_DIR. */
  dataDir: string;
  publicBaseUrl: string;
  fileUrlSecret: string;
  /** Development auth (SPEC §5.3) is on: no CANVA_APP_ID outside production. */
  devAuth: boolean;
  /** The app id tokens must carry as `aud` (the development one when devAuth). */
  appId: string;
  /**
   * The address the HTTP server binds: loopback under development auth, whose /dev/token mints a
   * token for anyone who reaches it; every interface otherwise (undefined).
   */
  listenHost: string | undefined;
  maxUploadBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const problems = deploymentProblems(e);
  const production = e.NODE_ENV === "production";
  if (e.STORAGE === "s3" && !e.S3_BUCKET) problems.push("S3_BUCKET: required when STORAGE=s3");
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    // One without the other would silently fall back to the AWS default credential chain.
    problems.push("S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither");
  }
  problems.push(...generativeProblems(e));
  if (problems.length) throw new ConfigError(problems);

  const devAuth = !e.CANVA_APP_ID && !production;
  return {
    ...e,
    dataDir: path.resolve(e.DATA_DIR),
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`,
    fileUrlSecret: e.FILE_URL_SECRET ?? DEV_FILE_URL_SECRET,
    devAuth,
    appId: e.CANVA_APP_ID ?? DEV_APP_ID,
    listenHost: devAuth ? "127.0.0.1" : undefined,
    maxUploadBytes: Math.floor(e.MAX_UPLOAD_MB * 1024 * 1024),
  };
}

/** What ENGINES=…,generative needs (SPEC §7.3): the provider, where it is, how callbacks verify. */
function generativeProblems(e: Env): string[] {
  if (!e.ENGINES.includes("generative")) return [];
  const problems: string[] = [];
  const need = (name: keyof Env, why: string) => {
    if (!e[name]) problems.push(`${name}: required ${why}`);
  };
  need("REMOTE_ENGINE_KIND", "when ENGINES includes generative (cog or replicate)");
  need("REMOTE_ENGINE_URL", "when ENGINES includes generative");
  need("REMOTE_ENGINE_WEBHOOK_SECRET", "when ENGINES includes generative (callbacks are verified with it)");
  if (e.REMOTE_ENGINE_KIND === "replicate") {
    need("REMOTE_ENGINE_TOKEN", "when REMOTE_ENGINE_KIND=replicate");
    need("REMOTE_ENGINE_MODEL", "when REMOTE_ENGINE_KIND=replicate (owner/name or owner/name:version)");
    if (e.REMOTE_ENGINE_WEBHOOK_SECRET && !/^whsec_[A-Za-z0-9+/=]+$/.test(e.REMOTE_ENGINE_WEBHOOK_SECRET)) {
      problems.push("REMOTE_ENGINE_WEBHOOK_SECRET: Replicate's signing secret starts with whsec_");
    }
  }
  if (e.REMOTE_ENGINE_KIND === "cog" && (e.REMOTE_ENGINE_WEBHOOK_SECRET?.length ?? 0) < 32) {
    problems.push("REMOTE_ENGINE_WEBHOOK_SECRET: at least 32 characters (Cog's WEBHOOK_AUTH_TOKEN)");
  }
  return problems;
}

/** loadConfig for a process entry point: a bad configuration prints its problems and exits 78. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
