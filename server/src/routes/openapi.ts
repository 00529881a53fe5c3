// GET /openapi.json: the OpenAPI document generated from the zod route schemas.
import type { App } from "../http/openapi";

export function registerOpenApi(app: App) {
  app.openAPIRegistry.registerComponent("securitySchemes", "canvaUserToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A Canva user token from auth.getCanvaUserToken()",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "METRICS_TOKEN, for GET /metrics",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Headshot Studio API",
      version: "1.0.0",
      description: "Backend of the Headshot Studio Canva app.",
    },
  });
}
