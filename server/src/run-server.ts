// The server process once its database is open (main.ts): services → migrations → HTTP, then
// the engine's workers warm; a clean shutdown on SIGTERM/SIGINT.
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import type { Config } from "./config/config";
import type { DatabaseHandle } from "./db/client";
import { startReconciler } from "./generative/reconciler";
import { startInstanceKeeper } from "./jobs/instances";
import { startRetentionScheduler } from "./privacy/scheduler";
import { createServices } from "./services";

export async function runServer(config: Config, database: Promise<DatabaseHandle>) {
  const services = await createServices(config, { database });
  const { logger } = services;
  await services.database.migrate();
  if (services.devIssuer) {
    logger.warn(
      { appId: config.appId, host: config.listenHost },
      "development auth is on: tokens are issued locally, to this machine only (never in production)",
    );
  }

  // Beat and sweep before serving: jobs a previous process left behind are refunded first.
  const keeper = await startInstanceKeeper({ ...services, exclusive: services.database.driver === "pglite" });
  // Retention (SPEC §9) runs on every instance; its batches skip rows another instance holds.
  const retention = startRetentionScheduler(services, { clock: services.clock });
  // Generative predictions: late callbacks, timeouts, styles a dead instance could not send.
  const reconciler = services.generative
    ? startReconciler({
        ...services,
        engine: services.generative,
        timeoutS: config.REMOTE_ENGINE_TIMEOUT_S,
        everyMs: config.REMOTE_ENGINE_RECONCILE_EVERY_S * 1000,
        lateMs: config.REMOTE_ENGINE_LATE_CALLBACK_S * 1000,
      })
    : undefined;

  const app = createApp(services);
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.listenHost }, (info) => {
    logger.info({ port: info.port, database: services.database.driver }, "Headshot Studio backend listening");
    // The engine's workers load their models once the server serves (/readyz: engine "warming");
    // generation requests wait in the engine's queue until they have.
    const warming = performance.now();
    services.engine.warm?.().then(
      () => logger.info({ ms: Math.round(performance.now() - warming) }, "studio engine ready"),
      (err: Error) =>
        logger.error({ err: err.message }, "studio engine failed to start: /readyz answers 503"),
    );
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // Stop accepting, let in-flight jobs finish (or fail and refund) within the timeout.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await services.runner.drain(config.SHUTDOWN_TIMEOUT_S * 1000);
    await keeper.stop();
    await retention.stop();
    await reconciler?.stop();
    await services.generative?.close();
    await services.engine.close();
    await closed;
    await services.database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
