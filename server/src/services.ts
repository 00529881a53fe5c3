// Builds the services the app reaches through its context (STYLE.md, Unkey): configuration,
// database, logger, clock and the Canva token verifier. Built once per process; tests build
// their own with overrides.
import { randomUUID } from "node:crypto";
import { canvaJwksUrl, createJwksKeySource } from "./auth/canva-keys";
import { createDevIssuer, type DevIssuer } from "./auth/dev-issuer";
import { createCanvaTokenVerifier, type CanvaTokenVerifier } from "./auth/verify-canva-token";
import { createStripeClient, type StripeClient } from "./billing/stripe-client";
import { systemClock, type Clock } from "./clock";
import type { Config } from "./config/config";
import { openConfiguredDatabase, type Database, type DatabaseHandle } from "./db/client";
import { createStudioEngine } from "./engine/pool";
import type { Engine } from "./engine/types";
import { createGenerativeEngine, type GenerativeEngine } from "./generative/generative-engine";
import type { PredictionProvider } from "./generative/provider";
import { createPredictionProvider } from "./generative/providers";
import { createJobRunner, type JobRunner } from "./jobs/runner";
import { createUploadSlots, type UploadSlots } from "./jobs/upload-slots";
import { createLogger, type Logger } from "./logger";
import { createMetrics, type Metrics } from "./metrics/metrics";
import { createRateLimiter, createRateLimitStore, type RateLimiter } from "./rate-limit";
import { createStorage } from "./storage";
import type { Storage } from "./storage/storage";

export interface Services {
  config: Config;
  database: DatabaseHandle;
  db: Database;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  /** The headshot engine (a worker pool); the only way routes reach it is the job runner. */
  engine: Engine;
  runner: JobRunner;
  /** AI studio (SPEC §7.3): present when ENGINES includes generative. */
  generative: GenerativeEngine | undefined;
  /** Photo uploads being read here, capped per user. */
  uploads: UploadSlots;
  verifier: CanvaTokenVerifier;
  /** Present only when STRIPE_SECRET_KEY is set; used by the billing module alone. */
  stripe: StripeClient | undefined;
  rateLimiter: RateLimiter;
  /** Present only under development auth (SPEC §5.3). */
  devIssuer: DevIssuer | undefined;
  /** This process, as named in the instances table and on the jobs it runs. */
  instanceId: string;
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: Metrics;
}

export interface ServiceOverrides {
  /** The database, or (the server process) the database still opening. */
  database?: DatabaseHandle | Promise<DatabaseHandle>;
  logger?: Logger;
  clock?: Clock;
  storage?: Storage;
  engine?: Engine;
  fetch?: typeof fetch;
  /** The generative provider (tests hand in one pointed at a fake, or a failing one). */
  provider?: PredictionProvider;
  /** How often the generative engine looks for predictions to send (tests: faster). */
  sendEveryMs?: number;
}

export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const clock = overrides.clock ?? systemClock;
  // The development issuer's RSA key is generated off the main thread while the database opens.
  const issuer = config.devAuth
    ? createDevIssuer({ appId: config.appId, now: () => clock.now().getTime() })
    : undefined;
  const database = await (overrides.database ?? openConfiguredDatabase(config));
  const devIssuer = await issuer;
  const keys =
    devIssuer?.keys ??
    createJwksKeySource({
      url: config.CANVA_JWKS_URL ?? canvaJwksUrl(config.appId),
      now: () => clock.now().getTime(),
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
      onFetchError: (err) => logger.warn({ err: String(err) }, "Canva JWKS fetch failed"),
    });
  const verifier = createCanvaTokenVerifier({
    appId: config.appId,
    keys,
    leewaySeconds: config.JWT_LEEWAY_S,
    now: () => clock.now().getTime(),
  });

  const storage = overrides.storage ?? (await createStorage(config));
  const engine = overrides.engine ?? (await createEngine(config));
  const uploads = createUploadSlots(config.UPLOADS_PER_USER, config.UPLOADS_IN_FLIGHT);
  const metrics = createMetrics({
    jobCounts: () => ({ ...engine.stats(), inFlight: runner.inFlight() + (generative?.inFlight() ?? 0) }),
    uploadsInFlight: uploads.inFlight,
  });
  const runner = createJobRunner({ db: database.db, engine, storage, clock, logger, config, metrics });
  const generative = config.ENGINES.includes("generative")
    ? createGenerativeEngine({
        db: database.db,
        provider: overrides.provider ?? createPredictionProvider(config, { fetch: overrides.fetch }),
        storage,
        clock,
        logger,
        metrics,
        config,
        studio: { engine, runner },
        ...(overrides.sendEveryMs ? { sendEveryMs: overrides.sendEveryMs } : {}),
      })
    : undefined;

  return {
    config,
    database,
    db: database.db,
    logger,
    clock,
    storage,
    engine,
    runner,
    generative,
    uploads,
    verifier,
    stripe: await createStripeClient(config),
    rateLimiter: createRateLimiter({
      store: createRateLimitStore(config.RATE_LIMIT_STORE, database, config.RATE_LIMITS),
      clock,
      keySecret: config.fileUrlSecret,
    }),
    devIssuer,
    instanceId: `${process.pid}-${randomUUID()}`,
    metrics,
  };
}

async function createEngine(config: Config): Promise<Engine> {
  return createStudioEngine({
    workers: config.GENERATION_CONCURRENCY,
    queuePerWorker: config.GENERATION_QUEUE_PER_WORKER,
    timeoutMs: config.GENERATION_TIMEOUT_S * 1000,
    // The server answers (and /readyz says ready) while the workers load their models.
    warmInBackground: true,
  });
}
