// GET /v1/me/export: everything we hold about the caller as one JSON document (SPEC §4, §9), with
// fresh signed links to their outputs and a ten-minute link to download it as a file (only here:
// the panel is the one place that opens it). Works while processing is restricted.
import { createRoute } from "@hono/zod-openapi";
import { UserExport } from "@headshot/shared";
import { errorResponses, type App } from "../http/openapi";
import { exportUser } from "../privacy/export";
import { exportDownloadUrl } from "../privacy/export-links";

const route = createRoute({
  method: "get",
  path: "/v1/me/export",
  tags: ["privacy"],
  security: [{ canvaUserToken: [] }],
  responses: {
    200: {
      description: "The caller's data, machine-readable",
      content: { "application/json": { schema: UserExport } },
    },
    ...errorResponses(401, 429, 503),
  },
});

export function registerV1MeExport(app: App) {
  app.openapi(route, async (c) => {
    const { config, db, clock } = c.get("services");
    const now = clock.now();
    const document = await exportUser({ db, config }, c.get("user").id, now);
    const downloadUrl = exportDownloadUrl(config, document.user.id, now);
    c.header("Content-Disposition", 'attachment; filename="headshot-studio-export.json"');
    return c.json({ ...document, downloadUrl }, 200);
  });
}
