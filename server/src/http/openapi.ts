// The typed route builder: OpenAPIHono whose validation failures go through the one error
// handler, so a bad body answers like every other error (SPEC §4).
import { OpenAPIHono } from "@hono/zod-openapi";
import { ErrorBody } from "@headshot/shared";
import type { HonoEnv } from "./env";
import { validationError } from "./on-error";

export type App = OpenAPIHono<HonoEnv>;

export function createRouter(): App {
  return new OpenAPIHono<HonoEnv>({
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
