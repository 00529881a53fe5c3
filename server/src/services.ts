// Builds the services the app reaches through its context (STYLE.md, Unkey): configuration,
// database, logger, clock and the Canva token verifier. Built once per process; tests build
// their own with overrides.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { canvaJwksUrl, createJwksKeySource } from "./auth/canva-keys";
import { createDevIssuer, type DevIssuer } from "./auth/dev-issuer";
import { createCanvaTokenVerifier, type CanvaTokenVerifier } from "./auth/verify-canva-token";
import { systemClock, type Clock } from "./clock";
import type { Config } from "./config/config";
import { openDatabase, type Database, type DatabaseHandle } from "./db/client";
import { createLogger, type Logger } from "./logger";
import { createFsStorage } from "./storage/fs-storage";
import type { Storage } from "./storage/storage";

export interface Services {
  config: Config;
  database: DatabaseHandle;
  db: Database;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  verifier: CanvaTokenVerifier;
  /** Present only under development auth (SPEC §5.3). */
  devIssuer: DevIssuer | undefined;
  /** This process, as named in the instances table and on the jobs it runs. */
  instanceId: string;
}

export interface ServiceOverrides {
  database?: DatabaseHandle;
  logger?: Logger;
  clock?: Clock;
  storage?: Storage;
  fetch?: typeof fetch;
}

export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const clock = overrides.clock ?? systemClock;
  const database =
    overrides.database ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      pgliteDir: path.join(config.dataDir, "pglite"),
    }));

  const devIssuer = config.devAuth
    ? await createDevIssuer({ appId: config.appId, now: () => clock.now().getTime() })
    : undefined;
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

  return {
    config,
    database,
    db: database.db,
    logger,
    clock,
    storage: overrides.storage ?? createFsStorage(path.join(config.dataDir, "files")),
    verifier,
    devIssuer,
    instanceId: `${process.pid}-${randomUUID()}`,
  };
}
