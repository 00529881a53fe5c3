// The support console's JSON API (SPEC §4, §10), read-only, for staff tooling: the request queue
// with its deadlines, one request with its audit trail, and the audited user lookup. Same staff
// session cookie as the pages; a missing session answers 401 and errors use the API's JSON body.
import type { SupportApp } from "../support/console-env";
import { staffActor } from "../support/console-env";
import { deadlineState } from "../support/deadlines";
import { lookupUsers } from "../support/lookup";
import { getRequest, listClosedRequests, listOpenRequests } from "../support/requests";

export const SUPPORT_API_PREFIX = "/support/api/";

export function registerSupportApi(support: SupportApp) {
  support.get("/api/requests", async (c) => {
    const { db, clock } = c.get("services");
    const now = clock.now();
    const [open, closed] = await Promise.all([listOpenRequests(db, now), listClosedRequests(db)]);
    return c.json({
      open: open.map((r) => ({ ...r, ...deadlineState(r, now) })),
      closed,
    });
  });

  support.get("/api/requests/:id", async (c) => {
    const { db, clock } = c.get("services");
    const { request, trail } = await getRequest(db, c.req.param("id"));
    return c.json({ request: { ...request, ...deadlineState(request, clock.now()) }, trail });
  });

  support.get("/api/users", async (c) => {
    const { db, clock } = c.get("services");
    const result = await lookupUsers(db, c.req.query("q") ?? "", { actor: staffActor(c), now: clock.now() });
    return c.json(result);
  });
}
