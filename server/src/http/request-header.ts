// A request header, read where it costs least. Served by @hono/node-server, the request's headers
// are Node's own, already parsed: Hono's `c.req.header()` would first copy every one of them into
// a web Headers object, on every request, for the few that middleware reads (issue 20's profile).
// Elsewhere (app.request in tests) it is the web Request's header.
//
// The value is what Headers would give: a repeated header's values joined with ", " — also for
// the few Node keeps only the first of (Authorization among them), which are found in the raw
// list, so a request with two Authorization headers reads the same on every route.
import { IncomingMessage } from "node:http";
import type { Context } from "hono";

/** The headers whose repeats Node drops from `headers` (Node's `matchKnownFields`). */
const KEPT_ONCE = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (!(incoming instanceof IncomingMessage)) return c.req.header(name);
  const value = incoming.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(", ");
  return KEPT_ONCE.has(name) ? everyValue(incoming.rawHeaders, name) : value;
}

function everyValue(raw: string[], name: string): string {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!);
  }
  return values.join(", ");
}
