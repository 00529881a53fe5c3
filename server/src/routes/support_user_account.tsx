// /support/users/:id: one account's facts, ledger and purchases (no photos: there are none), and
// credit adjustments with a reason, for admins.
import { ApiError } from "../http/api-error";
import { formField, staffActor, type SupportApp } from "../support/console-env";
import { adjustCredits, MAX_ADJUSTMENT } from "../support/credits";
import { userDetail, viewUserDetail } from "../support/lookup";
import { ActionForm, day, renderPage, time } from "../support/views/layout";

export function registerSupportUserAccount(support: SupportApp) {
  support.get("/users/:id", async (c) => {
    const { db, clock } = c.get("services");
    const d = await viewUserDetail(db, c.req.param("id"), { actor: staffActor(c), now: clock.now() });
    const admin = c.get("session").staff.role === "admin";
    return renderPage(
      c,
      { title: "Account" },
      <>
        {c.req.query("done") === "adjusted" && <p class="notice">The credits are adjusted.</p>}
        <section>
          <dl>
            <dt>Reference</dt>
            <dd>{d.user.id}</dd>
            <dt>Canva user · brand</dt>
            <dd>
              {d.user.canvaUserId} · {d.user.brandId}
            </dd>
            <dt>Created</dt>
            <dd>{time(d.user.createdAt)}</dd>
            <dt>Credits</dt>
            <dd id="balance">{d.user.creditBalance}</dd>
            <dt>Contact email</dt>
            <dd>{d.user.contactEmail ?? "—"}</dd>
            <dt>Restricted</dt>
            <dd>
              {d.user.restrictedAt
                ? `since ${time(d.user.restrictedAt)}: ${d.user.restrictionReason ?? ""}`
                : "no"}
            </dd>
            <dt>Jobs · outputs</dt>
            <dd>
              {d.jobs} · {d.outputs}
            </dd>
            <dt>Purchases</dt>
            <dd>
              {d.purchases
                .map((p) => `${day(p.createdAt)} ${p.packId} ${p.status} (${p.customerEmail ?? "no email"})`)
                .join("; ") || "none"}
            </dd>
            <dt>Privacy requests</dt>
            <dd>
              {d.requests.map((r) => (
                <a href={`/support/requests/${r.id}`}>
                  {r.type} ({r.status}){" "}
                </a>
              ))}
            </dd>
          </dl>
        </section>
        {admin && (
          <section>
            <h2>Adjust credits</h2>
            <ActionForm c={c} action={`/support/users/${d.user.id}/credits`}>
              <label for="delta">Credits to add (negative to take away)</label>
              <input
                id="delta"
                name="delta"
                type="number"
                min={-MAX_ADJUSTMENT}
                max={MAX_ADJUSTMENT}
                step={1}
                required
              />
              <label for="reason">Reason</label>
              <input id="reason" name="reason" required />
              <button type="submit">Adjust</button>
            </ActionForm>
          </section>
        )}
        <h2>Recent ledger entries</h2>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Kind</th>
              <th>Change</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {d.ledger.map((l) => (
              <tr>
                <td>{time(l.createdAt)}</td>
                <td>{l.kind}</td>
                <td>{l.delta > 0 ? `+${l.delta}` : l.delta}</td>
                <td>{l.note ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>,
    );
  });

  support.post("/users/:id/credits", async (c) => {
    if (c.get("session").staff.role !== "admin") {
      throw new ApiError("FORBIDDEN", "Only admins can adjust credits.");
    }
    const { db, clock } = c.get("services");
    const id = (await userDetail(db, c.req.param("id"))).user.id;
    const delta = Number(await formField(c, "delta"));
    await adjustCredits(
      db,
      { userId: id, delta, reason: await formField(c, "reason") },
      staffActor(c),
      clock.now(),
    );
    return c.redirect(`/support/users/${id}?done=adjusted`, 303);
  });
}
