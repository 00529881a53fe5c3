// requestContext: the first middleware of every request — the services on the context, and the
// request id (`X-Request-Id`, SPEC §4): the caller's when it is short and plain (so logs can't be
// injected through it), else a new UUID; sent back on every answer. One middleware rather than
// three (services, Hono's requestId, a sanitiser): each layer costs every request an await.
import type { MiddlewareHandler } from "hono";
import type { Services } from "../../services";
import { requestHeader } from "../request-header";
import type { HonoEnv } from "../env";

// What Hono's requestId accepted ([\w=-], ≤ 64) and our own rule ([A-Za-z0-9._-], 8–64) both did.
const PLAIN_REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

export const requestContext = (services: Services): MiddlewareHandler<HonoEnv> =>
  async function requestContext(c, next) {
    c.set("services", services);
    const incoming = requestHeader(c, "x-request-id");
    const id = incoming !== undefined && PLAIN_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    await next();
  };
