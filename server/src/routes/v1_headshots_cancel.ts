// POST /v1/headshots/:id/cancel: stops a queued or processing job and refunds its credit; a job
// that already ended is returned as it is (SPEC §4).
import { createRoute } from "@hono/zod-openapi";
import { JobResponse } from "@headshot/shared";
import { errorResponses, type App } from "../http/openapi";
import { cancelJob, getOwnJob, ownJobView } from "../jobs/jobs";
import { jobIdParameter } from "./v1_headshots_get";

const route = createRoute({
  method: "post",
  path: "/v1/headshots/{id}/cancel",
  tags: ["headshots"],
  security: [{ canvaUserToken: [] }],
  parameters: [jobIdParameter],
  responses: {
    200: {
      description: "The job after cancelling",
      content: { "application/json": { schema: JobResponse } },
    },
    ...errorResponses(401, 404, 503),
  },
});

export function registerV1HeadshotsCancel(app: App) {
  app.openapi(route, async (c) => {
    const { db, config, clock, runner, generative } = c.get("services");
    const userId = c.get("user").id;
    const id = c.req.param("id");
    const before = await getOwnJob(db, userId, id);
    await cancelJob(db, runner, id, clock.now());
    // Every open prediction stops at the provider too (SPEC §7.3).
    if (before.engine === "generative") await generative?.cancel(id);
    return c.json({ job: await ownJobView(db, userId, id, config, clock.now()) }, 200);
  });
}
