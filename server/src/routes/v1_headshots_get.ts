// GET /v1/headshots/:id: one of the caller's jobs with progress, error and outputs (SPEC §4). The
// busiest route (every waiting panel, every 2 s): it reads its caller's user with the job, in one
// query, so currentUser skips it (isJobPoll) unless that read finds no account.
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { JobResponse } from "@headshot/shared";
import { findCurrentUser } from "../http/middleware/current-user";
import type { HonoEnv } from "../http/env";
import { errorResponses, type App } from "../http/openapi";
import { jobNotFound, pollOwnJob } from "../jobs/jobs";

/**
 * The job id in the path, documented but not validated by a route validator: every read of a job
 * answers an id that isn't one of the caller's, malformed ones included, with 404, and a validator
 * would cost every poll a copy of the request's headers (Hono's reads Content-Type for any target).
 */
export const jobIdParameter = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
} as const;

const route = createRoute({
  method: "get",
  path: "/v1/headshots/{id}",
  tags: ["headshots"],
  security: [{ canvaUserToken: [] }],
  parameters: [jobIdParameter],
  responses: {
    200: { description: "The job", content: { "application/json": { schema: JobResponse } } },
    ...errorResponses(401, 404, 503),
  },
});

const POLL_PATH = /^\/v1\/headshots\/[^/]+$/;

/** Whether a request is a poll: the one /v1 route that finds its caller's user itself. */
export const isJobPoll = (c: Context<HonoEnv>) =>
  (c.req.method === "GET" || c.req.method === "HEAD") && POLL_PATH.test(c.req.path);

export function registerV1HeadshotsGet(app: App) {
  app.openapi(route, async (c) => {
    const { db, config, clock } = c.get("services");
    const poll = await pollOwnJob(db, c.get("identity"), c.req.param("id"), config, clock.now());
    // No account (yet, or any more), or an id that is no job's: the user as every /v1 route finds
    // it (made on first sight, 403 after an erasure), who has no such job.
    if (poll) c.set("user", poll.user);
    else await findCurrentUser(c);
    if (!poll?.job) throw jobNotFound();
    return c.json({ job: poll.job }, 200);
  });
}
