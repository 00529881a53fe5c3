// Liveness and readiness (SPEC §4): /healthz answers while the process runs; /readyz only when
// the database answers and every committed migration is applied. The studio engine's workers
// load their models in the background: /readyz is 200 while they warm (generation requests wait
// in the engine's queue meanwhile) and 503 only if they failed to.
import { createRoute } from "@hono/zod-openapi";
import { HealthResponse, ReadyResponse } from "@headshot/shared";
import type { App } from "../http/openapi";

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["operations"],
  responses: {
    200: { description: "The process is alive", content: { "application/json": { schema: HealthResponse } } },
  },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["operations"],
  responses: {
    200: { description: "Ready to serve", content: { "application/json": { schema: ReadyResponse } } },
    503: { description: "Not ready", content: { "application/json": { schema: ReadyResponse } } },
  },
});

export function registerHealth(app: App) {
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyz, async (c) => {
    const { database, engine } = c.get("services");
    const ready = await database.ready();
    const engineState = engine.readiness?.() ?? "ready";
    c.header("Cache-Control", "no-store");
    return ready && engineState !== "failed"
      ? c.json({ status: "ready" as const, database: true, migrations: true, engine: engineState }, 200)
      : c.json(
          { status: "not_ready" as const, database: ready, migrations: ready, engine: engineState },
          503,
        );
  });
}
