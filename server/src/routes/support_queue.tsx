// GET /support: the request queue — open requests overdue first, with days left and whether the
// acknowledgement is late — and the most recently closed ones.
import type { SupportApp } from "../support/console-env";
import { deadlineState } from "../support/deadlines";
import { listClosedRequests, listOpenRequests, type PrivacyRequest } from "../support/requests";
import { day, renderPage } from "../support/views/layout";

export function registerSupportQueue(support: SupportApp) {
  support.get("/", async (c) => {
    const { db, clock } = c.get("services");
    const now = clock.now();
    const [open, closed] = await Promise.all([listOpenRequests(db, now), listClosedRequests(db)]);
    return renderPage(
      c,
      { title: "Privacy requests" },
      <>
        <p>
          <a href="/support/new-request">Record a new request</a> ·{" "}
          {open.filter((r) => r.dueAt <= now).length} overdue of {open.length} open
        </p>
        <RequestTable requests={open} now={now} />
        <h2>Recently closed</h2>
        <RequestTable requests={closed} now={now} closed />
      </>,
    );
  });
}

function RequestTable({
  requests,
  now,
  closed,
}: {
  requests: PrivacyRequest[];
  now: Date;
  closed?: boolean;
}) {
  if (!requests.length) return <p>None.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Type</th>
          <th>Status</th>
          <th>Channel</th>
          <th>Law</th>
          <th>Received</th>
          <th>Due</th>
          <th>{closed ? "Closed" : "Days left"}</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((r) => {
          const { daysLeft: left, overdue: late, acknowledgementLate: ackLate } = deadlineState(r, now);
          const overdue = !closed && late;
          return (
            <tr class={overdue ? "overdue" : undefined} data-request-id={r.id}>
              <td>
                <a href={`/support/requests/${r.id}`}>{r.type}</a>
              </td>
              <td>
                {r.status.replace("_", " ")}
                {ackLate && " "}
                {ackLate && <span class="tag overdue">acknowledgement late</span>}
              </td>
              <td>{r.channel}</td>
              <td>{r.jurisdiction.toUpperCase()}</td>
              <td>{day(r.receivedAt)}</td>
              <td>
                {day(r.dueAt)}
                {r.extendedAt && " "}
                {r.extendedAt && <span class="tag">extended</span>}
              </td>
              <td>
                {closed ? (
                  day(r.completedAt)
                ) : overdue ? (
                  <span class="tag overdue">overdue by {Math.abs(left)} d</span>
                ) : (
                  <span class={left <= 7 ? "tag due-soon" : "tag"}>{left} d</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
