// The typed route builder: OpenAPIHono whose validation failures go through the one error
// handler, so a bad body answers like every other error (SPEC §4).
import { OpenAPIHono } from "@hono/zod-openapi";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { ErrorBody } from "@headshot/shared";
import type { HonoEnv } from "./env";
import { validationError } from "./on-error";

export type App = OpenAPIHono<HonoEnv>;

/**
 * Routes are matched by one regular expression (RegExpRouter), not a walk of a tree per request.
 * It refuses a path it can't order unambiguously, such as a static segment beside a parameter
 * (`/requests/new` and `/requests/:id`): such a route throws when added, so every test that builds
 * the app fails, rather than the whole app silently falling back to a slower router.
 */
export function createRouter(): App {
  return new OpenAPIHono<HonoEnv>({
    router: new RegExpRouter(),
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}

/** The documented error responses of a route, all with the one error body. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: "Error", content: { "application/json": { schema: ErrorBody } } },
    ]),
  );
}
