// The support console's Hono environment: the API's variables plus the signed-in staff session
// and the CSP nonce of the page being rendered.
import type { Context, Hono } from "hono";
import type { HonoEnv } from "../http/env";
import type { Actor } from "../privacy/audit";
import type { StaffSession } from "./sessions";

export interface SupportEnv {
  Variables: HonoEnv["Variables"] & {
    /** Set by supportSession on every page but the login page. */
    session: StaffSession;
    cspNonce: string;
  };
}

export type SupportApp = Hono<SupportEnv>;
export type SupportContext = Context<SupportEnv>;

export const staffActor = (c: SupportContext): Actor => ({
  type: "support",
  supportUserId: c.get("session").staff.id,
});

/** A text field of a submitted form ("" when absent or a file). */
export async function formField(c: SupportContext, name: string): Promise<string> {
  const body = await c.req.parseBody();
  const value = body[name];
  return typeof value === "string" ? value : "";
}
