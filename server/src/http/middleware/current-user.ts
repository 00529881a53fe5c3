// currentUser: turns the verified identity into the caller's row, creating it (with free
// credits, once) on first sight, so every /v1 route starts from a real user. After an erasure,
// only a new consent (POST /v1/consent) creates the account again.
import type { MiddlewareHandler } from "hono";
import { ensureUser } from "../../domain/users";
import type { HonoEnv } from "../env";

export const currentUser = (): MiddlewareHandler<HonoEnv> =>
  async function currentUser(c, next) {
    const { db, config } = c.get("services");
    const identity = c.get("identity");
    c.set(
      "user",
      await ensureUser(db, identity, {
        freeCredits: config.FREE_CREDITS,
        subjectSecret: config.fileUrlSecret,
        startsAfresh: c.req.method === "POST" && c.req.path === "/v1/consent",
      }),
    );
    await next();
  };
