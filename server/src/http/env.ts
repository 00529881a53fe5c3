// The Hono environment every route and middleware is typed with: services are reached through
// the context (never globals), and per-request values are context variables.
import type { ConsentState } from "@headshot/shared";
import type { CanvaIdentity } from "../auth/verify-canva-token";
import type { Services } from "../services";
import type { UserRow } from "../domain/users";

export interface HonoEnv {
  Variables: {
    services: Services;
    requestId: string;
    /** Set by canvaAuth on /v1 routes. */
    identity: CanvaIdentity;
    /** Set by currentUser on /v1 routes (a poll sets it itself): the caller's row, created on
     * first sight. */
    user: UserRow;
    /** Set by currentUser on /v1 routes but a poll: the caller's consent, read with the user. */
    consent: ConsentState;
  };
}
