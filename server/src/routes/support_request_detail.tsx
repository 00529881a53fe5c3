// GET /support/requests/:id: one request — facts, deadlines, the next steps its status allows
// (verify identity → act → complete; deny; extend once; notes) and its audit trail.
import type { SupportApp } from "../support/console-env";
import { acknowledgementDue, daysLeft } from "../support/deadlines";
import { getRequest } from "../support/requests";
import { NextSteps } from "../support/views/request-steps";
import { day, renderPage, time } from "../support/views/layout";

/** Outcomes the action routes redirect with; fixed texts, so nothing from the URL is shown. */
export const NOTICES: Record<string, string> = {
  created: "The request is recorded.",
  acknowledged: "Marked as acknowledged.",
  verified: "Identity verified; the request is linked to what we matched.",
  erased: "The account was erased and the request completed.",
  restricted: "Processing is restricted.",
  unrestricted: "The restriction is lifted.",
  rectified: "The contact email was corrected.",
  completed: "The request is completed.",
  denied: "The request is denied.",
  extended: "The due date is extended.",
  noted: "The note is added.",
};

const OPEN = ["received", "acknowledged", "verified", "in_progress"];

export function registerSupportRequestDetail(support: SupportApp) {
  support.get("/requests/:id", async (c) => {
    const { db, clock } = c.get("services");
    const now = clock.now();
    const { request: r, trail } = await getRequest(db, c.req.param("id"));
    const notice = NOTICES[c.req.query("done") ?? ""];
    const left = daysLeft(r.dueAt, now);
    const erasure = trail.find((e) => e.action === "user.erased");
    const receiptId = (erasure?.details as { receiptId?: string } | undefined)?.receiptId;
    return renderPage(
      c,
      { title: `${r.type} request` },
      <>
        {notice && <p class="notice">{notice}</p>}
        <section>
          <dl>
            <dt>Status</dt>
            <dd id="status">{r.status.replace("_", " ")}</dd>
            <dt>Channel · law</dt>
            <dd>
              {r.channel} · {r.jurisdiction.toUpperCase()}
            </dd>
            <dt>Contact</dt>
            <dd>{r.contact ?? "—"}</dd>
            <dt>Received</dt>
            <dd>{day(r.receivedAt)}</dd>
            <dt>Acknowledge by</dt>
            <dd>
              {r.acknowledgedAt ? `done ${time(r.acknowledgedAt)}` : day(acknowledgementDue(r.receivedAt))}
            </dd>
            <dt>Due</dt>
            <dd>
              {day(r.dueAt)}{" "}
              {OPEN.includes(r.status) &&
                (left > 0 ? `(${left} days left)` : <span class="tag overdue">overdue</span>)}
            </dd>
            <dt>Extension</dt>
            <dd>{r.extendedAt ? `${time(r.extendedAt)}: ${r.extensionReason}` : "none"}</dd>
            <dt>Identity</dt>
            <dd>
              {r.verifiedAt ? `verified ${time(r.verifiedAt)} by ${r.verificationMethod}` : "not verified"}
            </dd>
            <dt>Account</dt>
            <dd>
              {r.userId ? (
                <a href={`/support/users/${r.userId}`}>{r.userId}</a>
              ) : receiptId ? (
                `erased — receipt ${receiptId}`
              ) : (
                "not linked"
              )}
            </dd>
            {r.denialReason && (
              <>
                <dt>Denied because</dt>
                <dd>{r.denialReason}</dd>
              </>
            )}
            <dt>Notes</dt>
            <dd>
              <pre>{r.notes ?? "—"}</pre>
            </dd>
          </dl>
        </section>
        <NextSteps c={c} r={r} />
        <h2>Audit trail</h2>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {trail.map((e) => (
              <tr>
                <td>{time(e.at)}</td>
                <td>{e.actorType}</td>
                <td>{e.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>,
    );
  });
}
