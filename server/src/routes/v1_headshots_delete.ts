// DELETE /v1/headshots/:id: deletes that job's outputs and their files now, canceling it first
// if it is still running (SPEC §4, §9).
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, type App } from "../http/openapi";
import { cancelJob, deleteJobOutputs, getOwnJob } from "../jobs/jobs";
import { jobIdParameter } from "./v1_headshots_get";

const route = createRoute({
  method: "delete",
  path: "/v1/headshots/{id}",
  tags: ["headshots"],
  security: [{ canvaUserToken: [] }],
  parameters: [jobIdParameter],
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404, 503) },
});

export function registerV1HeadshotsDelete(app: App) {
  app.openapi(route, async (c) => {
    const { db, storage, runner, generative, clock } = c.get("services");
    const job = await getOwnJob(db, c.get("user").id, c.req.param("id"));
    // A job still running would store its outputs after this delete: stop it first (refunded).
    await cancelJob(db, runner, job.id, clock.now());
    if (job.engine === "generative") await generative?.cancel(job.id);
    await deleteJobOutputs(db, storage, job.id);
    return c.body(null, 204);
  });
}
