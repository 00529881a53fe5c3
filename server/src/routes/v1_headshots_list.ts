// GET /v1/headshots: the caller's history — jobs whose outputs have not expired, newest first,
// paginated by an opaque cursor (SPEC §4).
import { createRoute, z } from "@hono/zod-openapi";
import { JobListResponse } from "@headshot/shared";
import { errorResponses, type App } from "../http/openapi";
import { historyPage } from "../jobs/jobs";

const route = createRoute({
  method: "get",
  path: "/v1/headshots",
  tags: ["headshots"],
  security: [{ canvaUserToken: [] }],
  request: {
    query: z.object({
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(50).default(10),
    }),
  },
  responses: {
    200: { description: "A page of history", content: { "application/json": { schema: JobListResponse } } },
    ...errorResponses(400, 401, 503),
  },
});

export function registerV1HeadshotsList(app: App) {
  app.openapi(route, async (c) => {
    const { db, config, clock } = c.get("services");
    return c.json(await historyPage(db, c.get("user").id, config, clock.now(), c.req.valid("query")), 200);
  });
}
