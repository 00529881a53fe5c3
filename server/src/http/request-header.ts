// A request header, read where it costs least. Served by @hono/node-server, the request's headers
// are Node's own, already parsed: Hono's `c.req.header()` would first copy every one of them into
// a web Headers object, on every request, for the few that middleware reads (issue 20's profile).
// Elsewhere (app.request in tests) it is the web Request's header.
//
// Node joins a repeated header with ", " as Headers does, except the few it keeps once (among
// them Authorization and Content-Type): there it keeps the first.
import { IncomingMessage } from "node:http";
import type { Context } from "hono";

export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (!(incoming instanceof IncomingMessage)) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
