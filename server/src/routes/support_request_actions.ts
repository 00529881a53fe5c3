// POST /support/requests/:id/<action>: each step of a privacy request, through the same domain
// functions as the CLI; every one is audited in its own transaction and redirects back (303).
import { ApiError } from "../http/api-error";
import { formField, staffActor, type SupportApp, type SupportContext } from "../support/console-env";
import {
  acknowledgeRequest,
  addRequestNote,
  completeRequest,
  denyRequest,
  eraseForRequest,
  exportForRequest,
  extendRequest,
  rectifyContactEmail,
  restrictForRequest,
  unrestrictForRequest,
  verifyRequest,
  type VerificationMethod,
} from "../support/requests";

type Handler = (c: SupportContext, id: string, ctx: ReturnType<typeof context>) => Promise<string | Response>;

const context = (c: SupportContext) => ({ actor: staffActor(c), now: c.get("services").clock.now() });

/** Each action returns the notice to show on the request page (or its own response). */
const ACTIONS: Record<string, Handler> = {
  acknowledge: async (c, id, ctx) => {
    await acknowledgeRequest(c.get("services").db, id, ctx);
    return "acknowledged";
  },
  verify: async (c, id, ctx) => {
    const method = await formField(c, "method");
    if (method !== "reference" && method !== "purchase_email") {
      throw new ApiError("BAD_REQUEST", "Choose how the identity was verified.");
    }
    const proof = { method: method as VerificationMethod, value: await formField(c, "value") };
    await verifyRequest(c.get("services").db, id, proof, ctx);
    return "verified";
  },
  export: async (c, id, ctx) => {
    const document = await exportForRequest(c.get("services"), id, ctx);
    c.header("Content-Disposition", `attachment; filename="headshot-studio-export-${id}.json"`);
    return c.json(document);
  },
  erase: async (c, id, ctx) => {
    if ((await formField(c, "confirm")) !== "yes") {
      throw new ApiError("BAD_REQUEST", "Tick the box to confirm the erasure.");
    }
    await eraseForRequest(c.get("services"), id, ctx);
    return "erased";
  },
  restrict: async (c, id, ctx) => {
    await restrictForRequest(c.get("services").db, id, await formField(c, "reason"), ctx);
    return "restricted";
  },
  unrestrict: async (c, id, ctx) => {
    await unrestrictForRequest(c.get("services").db, id, await formField(c, "reason"), ctx);
    return "unrestricted";
  },
  rectify: async (c, id, ctx) => {
    await rectifyContactEmail(c.get("services").db, id, await formField(c, "contactEmail"), ctx);
    return "rectified";
  },
  complete: async (c, id, ctx) => {
    await completeRequest(c.get("services").db, id, await formField(c, "note"), ctx);
    return "completed";
  },
  deny: async (c, id, ctx) => {
    await denyRequest(c.get("services").db, id, await formField(c, "reason"), ctx);
    return "denied";
  },
  extend: async (c, id, ctx) => {
    await extendRequest(c.get("services").db, id, await formField(c, "reason"), ctx);
    return "extended";
  },
  note: async (c, id, ctx) => {
    await addRequestNote(c.get("services").db, id, await formField(c, "note"), ctx);
    return "noted";
  },
};

export function registerSupportRequestActions(support: SupportApp) {
  support.post("/requests/:id/:action", async (c) => {
    const id = c.req.param("id");
    const name = c.req.param("action");
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!action) throw new ApiError("NOT_FOUND", "There is no such action.");
    const result = await action(c, id, context(c));
    if (result instanceof Response) return result;
    return c.redirect(`/support/requests/${id}?done=${result}`, 303);
  });
}
