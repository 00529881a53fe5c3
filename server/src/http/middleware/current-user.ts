// currentUser: turns the verified identity into the caller's row, creating it (with free
// credits, once) on first sight, so every /v1 route starts from a real user. After an erasure,
// only a new, valid consent (POST /v1/consent) creates the account again. The consent state is
// read with the user, in the same query (GET /v1/me shows it), and lives for this request only.
import type { Context, MiddlewareHandler } from "hono";
import { ConsentRequest } from "@headshot/shared";
import { consentStateOf } from "../../domain/consent";
import { ensureUser, findUserWithConsent } from "../../domain/users";
import type { HonoEnv } from "../env";

/** `except`: the requests that find their user themselves. */
export const currentUser = (
  options: { except?: (c: Context<HonoEnv>) => boolean } = {},
): MiddlewareHandler<HonoEnv> =>
  async function currentUser(c, next) {
    if (!options.except?.(c)) await findCurrentUser(c);
    await next();
  };

/** Sets the caller's user and consent state, making the user on first sight. */
export async function findCurrentUser(c: Context<HonoEnv>): Promise<void> {
  const { db, config } = c.get("services");
  const identity = c.get("identity");
  const known = await findUserWithConsent(db, identity);
  if (known) {
    c.set("user", known.user);
    c.set("consent", consentStateOf(known.consent));
  } else {
    c.set(
      "user",
      await ensureUser(db, identity, {
        freeCredits: config.FREE_CREDITS,
        subjectSecret: config.fileUrlSecret,
        startsAfresh: isConsent(c) && (await isValidConsent(c)),
      }),
    );
    c.set("consent", consentStateOf(undefined));
  }
}

const isConsent = (c: Context<HonoEnv>) => c.req.method === "POST" && c.req.path === "/v1/consent";

/** Whether a consent is one the consent route will record: a malformed one must not recreate an
 * erased account (the route answers it 400 afterwards). Hono keeps the parsed body for the route;
 * every other request skips this, so no route's body is read here. */
async function isValidConsent(c: Context<HonoEnv>): Promise<boolean> {
  try {
    return ConsentRequest.safeParse(await c.req.json()).success;
  } catch {
    return false;
  }
}
