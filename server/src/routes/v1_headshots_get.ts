// GET /v1/headshots/:id: one of the caller's jobs with progress, error and outputs (SPEC §4).
import { createRoute, z } from "@hono/zod-openapi";
import { JobResponse } from "@headshot/shared";
import { errorResponses, type App } from "../http/openapi";
import { ownJobView } from "../jobs/jobs";

export const JobIdParams = z.object({ id: z.string().max(64) });

const route = createRoute({
  method: "get",
  path: "/v1/headshots/{id}",
  tags: ["headshots"],
  security: [{ canvaUserToken: [] }],
  request: { params: JobIdParams },
  responses: {
    200: { description: "The job", content: { "application/json": { schema: JobResponse } } },
    ...errorResponses(401, 404, 503),
  },
});

export function registerV1HeadshotsGet(app: App) {
  app.openapi(route, async (c) => {
    const { db, config, clock } = c.get("services");
    const job = await ownJobView(db, c.get("user").id, c.req.valid("param").id, config, clock.now());
    return c.json({ job }, 200);
  });
}
