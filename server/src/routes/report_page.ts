// GET /report?job=<id>: where the panel's "Report a bad result" link leads. It names the job and
// how to reach support; it records nothing and shows no image (the link carries no token).
import { isUuid } from "@headshot/shared";
import { html } from "hono/html";
import { brandedPage, sendPage } from "../http/branded-page";
import type { App } from "../http/openapi";

export function registerReportPage(app: App) {
  app.get("/report", (c) => {
    const job = c.req.query("job");
    const reference = job && isUuid(job) ? job : undefined;
    const email = c.get("services").config.SUPPORT_EMAIL;
    const subject = `Bad headshot result${reference ? ` (job ${reference})` : ""}`;
    const contact = email
      ? html`Email <a href="mailto:${email}?subject=${encodeURIComponent(subject)}">${email}</a> and tell us
          what looks wrong: a cut-off head, a halo around your hair, odd colours or anything else.`
      : "Use the support link on Headshot Studio's page in Canva's app marketplace and tell us what looks wrong.";
    return sendPage(
      c,
      brandedPage(
        "Report a bad result",
        [
          contact,
          reference
            ? html`Please include this reference: <strong>${reference}</strong>.`
            : "Please include when you created the headshots.",
          "Your original photo was never stored, so we can't see it; a description helps us improve. If a generation failed, your credit was already returned automatically.",
        ],
        "You can close this tab and return to Canva.",
      ),
    );
  });
}
