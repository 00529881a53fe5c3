// GET/POST /support/new-request: intake of a privacy request received by email (or another
// channel); the due date follows from the received date and the jurisdiction.
import { z } from "zod";
import { JURISDICTIONS, PRIVACY_REQUEST_TYPES } from "@headshot/shared";
import { ApiError } from "../http/api-error";
import { staffActor, type SupportApp } from "../support/console-env";
import { createRequest } from "../support/requests";
import { ActionForm, renderPage } from "../support/views/layout";

export const REQUEST_CHANNELS = ["email", "post", "phone", "in_app", "other"] as const;

const NewRequestForm = z.object({
  type: z.enum(PRIVACY_REQUEST_TYPES),
  channel: z.enum(REQUEST_CHANNELS),
  jurisdiction: z.enum(JURISDICTIONS),
  receivedOn: z.iso.date(),
  contact: z.string().max(320).optional(),
  notes: z.string().max(2000).optional(),
});

export function registerSupportRequestNew(support: SupportApp) {
  support.get("/new-request", (c) => {
    const today = c.get("services").clock.now().toISOString().slice(0, 10);
    return renderPage(
      c,
      { title: "New privacy request" },
      <section>
        <ActionForm c={c} action="/support/new-request">
          <label for="type">Type</label>
          <select id="type" name="type">
            {PRIVACY_REQUEST_TYPES.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
          <label for="channel">Channel</label>
          <select id="channel" name="channel">
            {REQUEST_CHANNELS.map((ch) => (
              <option value={ch}>{ch.replace("_", " ")}</option>
            ))}
          </select>
          <label for="receivedOn">Received on</label>
          <input id="receivedOn" name="receivedOn" type="date" value={today} max={today} required />
          <label for="jurisdiction">Jurisdiction</label>
          <select id="jurisdiction" name="jurisdiction">
            <option value="gdpr">GDPR / UK GDPR (one month)</option>
            <option value="ccpa">CCPA / CPRA (45 days)</option>
          </select>
          <label for="contact">Contact (where to answer)</label>
          <input id="contact" name="contact" type="text" maxlength={320} />
          <label for="notes">Notes</label>
          <textarea id="notes" name="notes" maxlength={2000}></textarea>
          <div>
            <button type="submit">Record request</button>
          </div>
        </ActionForm>
      </section>,
    );
  });

  support.post("/new-request", async (c) => {
    const { db, clock } = c.get("services");
    const parsed = NewRequestForm.safeParse(await c.req.parseBody());
    if (!parsed.success) {
      throw new ApiError("BAD_REQUEST", "Please fill in the type, channel, received date and jurisdiction.");
    }
    const form = parsed.data;
    const request = await createRequest(
      db,
      { ...form, receivedAt: new Date(`${form.receivedOn}T00:00:00Z`) },
      staffActor(c),
      clock.now(),
    );
    return c.redirect(`/support/requests/${request.id}?done=created`, 303);
  });
}
