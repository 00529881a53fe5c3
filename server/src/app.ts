// The HTTP application: middleware in order, then one register call per route (STYLE.md).
import { canvaAuth } from "./auth/canva-auth";
import { registerDevAuthRoutes } from "./auth/dev-issuer";
import { bodyLimit } from "./http/middleware/body-limit";
import { apiCors, filesCors } from "./http/middleware/cors";
import { currentUser } from "./http/middleware/current-user";
import { noStore, PRIVATE_PATHS } from "./http/middleware/no-store";
import { requestContext } from "./http/middleware/request-context";
import { requestLogger } from "./http/middleware/request-logger";
import { securityHeaders } from "./http/middleware/security-headers";
import { notFoundOrMethodNotAllowed } from "./http/not-found";
import { onError } from "./http/on-error";
import { createRouter, type App } from "./http/openapi";
import { countFailedAuthentication, limitCheckout, limitGeneration, limitPrivacy } from "./rate-limit";
import { registerBillingPages } from "./routes/billing_pages";
import { registerExportsGet } from "./routes/exports_get";
import { registerFilesGet } from "./routes/files_get";
import { registerHealth } from "./routes/health";
import { registerMetricsGet } from "./routes/metrics_get";
import { registerOpenApi } from "./routes/openapi";
import { registerReportPage } from "./routes/report_page";
import { registerV1BillingCheckoutPost } from "./routes/v1_billing_checkout_post";
import { registerV1BillingPacksGet } from "./routes/v1_billing_packs_get";
import { registerV1ConsentPost } from "./routes/v1_consent_post";
import { registerV1HeadshotsCancel } from "./routes/v1_headshots_cancel";
import { registerV1HeadshotsDelete } from "./routes/v1_headshots_delete";
import { isJobPoll, registerV1HeadshotsGet } from "./routes/v1_headshots_get";
import { registerV1HeadshotsList } from "./routes/v1_headshots_list";
import { registerV1HeadshotsPost } from "./routes/v1_headshots_post";
import { registerSupportConsole } from "./routes/support";
import { registerV1MeDelete } from "./routes/v1_me_delete";
import { registerV1MeExport } from "./routes/v1_me_export";
import { registerV1MeGet } from "./routes/v1_me_get";
import { registerWebhooksEnginePost } from "./routes/webhooks_engine_post";
import { registerWebhooksStripePost } from "./routes/webhooks_stripe_post";
import type { Services } from "./services";

const JSON_BODY_LIMIT = 64 * 1024;

export function createApp(services: Services): App {
  const { config } = services;
  const app = createRouter();

  app.use(requestContext(services));
  app.use(requestLogger());
  app.use(securityHeaders());
  for (const path of PRIVATE_PATHS) app.use(path, noStore());
  app.use(
    bodyLimit({
      jsonBytes: JSON_BODY_LIMIT,
      overrides: [
        { method: "POST", path: "/webhooks/stripe", bytes: 1024 * 1024 },
        // A Cog callback carries its image as a data URL (a 1024×1280 JPEG: well under 4 MB); a
        // Replicate one only the image's URL.
        {
          method: "POST",
          path: "/webhooks/engine",
          bytes: config.REMOTE_ENGINE_KIND === "cog" ? 8 * 1024 * 1024 : 256 * 1024,
        },
      ],
      // Read after the checks that need no photo, paced and limited as it streams (generation-form.ts).
      streamed: [{ method: "POST", path: "/v1/headshots" }],
    }),
  );
  app.use("/files/*", filesCors());
  app.use(
    "/v1/*",
    apiCors({
      appId: config.appId,
      extraOrigins: config.CORS_EXTRA_ORIGINS,
      devPreviewOrigin: config.devAuth ? config.DEV_PREVIEW_ORIGIN : undefined,
    }),
  );
  app.use("/v1/*", canvaAuth({ verifier: services.verifier, onFailure: countFailedAuthentication }));
  // A poll reads its user with its job, in one query (routes/v1_headshots_get.ts).
  app.use("/v1/*", currentUser({ except: isJobPoll }));

  registerHealth(app);
  registerMetricsGet(app);
  registerOpenApi(app);
  registerV1MeGet(app);
  app.on("POST", "/v1/consent", limitPrivacy);
  registerV1ConsentPost(app);
  app.on("GET", "/v1/me/export", limitPrivacy);
  registerV1MeExport(app);
  app.on("DELETE", "/v1/me", limitPrivacy);
  registerV1MeDelete(app);
  app.on("POST", "/v1/headshots", limitGeneration);
  registerV1HeadshotsPost(app);
  registerV1HeadshotsList(app);
  registerV1HeadshotsGet(app);
  registerV1HeadshotsCancel(app);
  registerV1HeadshotsDelete(app);
  registerFilesGet(app);
  registerExportsGet(app);
  registerV1BillingPacksGet(app);
  app.on("POST", "/v1/billing/checkout", limitCheckout);
  registerV1BillingCheckoutPost(app);
  registerWebhooksStripePost(app);
  registerWebhooksEnginePost(app);
  registerBillingPages(app);
  registerReportPage(app);
  registerSupportConsole(app);
  if (services.devIssuer) {
    app.use(
      "/dev/*",
      apiCors({ appId: config.appId, extraOrigins: [], devPreviewOrigin: config.DEV_PREVIEW_ORIGIN }),
    );
    registerDevAuthRoutes(app, services.devIssuer);
  }

  app.notFound(notFoundOrMethodNotAllowed(app.routes));
  app.onError(onError);
  return app;
}
