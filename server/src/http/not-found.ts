// Requests no route answers: 405 with `Allow` when the path exists for other methods, else 404
// (SPEC §4). Decided in Hono's not-found handler, which runs only after every matching middleware
// and no route: the same check as a middleware (Hono's methodNotAllowed) would wrap every request
// of the app to look at the few that miss (a layer costs each request ~0.3 µs; issue 20's bench).
import type { Context } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { ApiError } from "./api-error";
import type { HonoEnv } from "./env";
import { errorResponse } from "./on-error";

interface RegisteredRoute {
  method: string;
  path: string;
}

/** The not-found handler for an app whose routes are `routes` (read at the first miss, when all
 * are registered). */
export function notFoundOrMethodNotAllowed(routes: readonly RegisteredRoute[]) {
  let methodsAt: TrieRouter<string[]> | undefined;
  return (c: Context<HonoEnv>): Response => {
    methodsAt ??= routerOfMethods(routes);
    const allowed = new Set(methodsAt.match("ALL", c.req.path)[0].flatMap(([methods]) => methods));
    if (allowed.size > 0 && !allowed.has(c.req.method)) {
      const allow = [...allowed].join(", ");
      return errorResponse(
        c,
        new ApiError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use ${allow}.`, {
          headers: { Allow: allow },
        }),
      );
    }
    return errorResponse(c, new ApiError("NOT_FOUND", "There is nothing at this address."));
  };
}

// Each path's methods, as Hono's methodNotAllowed gathers them: middleware (ALL) is no route, and
// a GET route also answers HEAD.
function routerOfMethods(routes: readonly RegisteredRoute[]): TrieRouter<string[]> {
  const methodsByPath = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    if (method === "ALL" || method === "HEAD") continue;
    const methods = methodsByPath.get(path) ?? new Set<string>();
    methods.add(method);
    if (method === "GET") methods.add("HEAD");
    methodsByPath.set(path, methods);
  }
  const router = new TrieRouter<string[]>();
  for (const [path, methods] of methodsByPath) router.add("ALL", path, [...methods]);
  return router;
}
