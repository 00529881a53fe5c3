// GET /support/users: lookup by Canva user id, in-app reference, purchase email or erasure
// receipt id.
import { staffActor, type SupportApp } from "../support/console-env";
import { lookupUsers } from "../support/lookup";
import { day, renderPage, time } from "../support/views/layout";

export function registerSupportUsers(support: SupportApp) {
  support.get("/users", async (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 320);
    const { db, clock } = c.get("services");
    const result = q.trim()
      ? await lookupUsers(db, q, { actor: staffActor(c), now: clock.now() })
      : undefined;
    return renderPage(
      c,
      { title: "User lookup" },
      <>
        <form method="get" action="/support/users">
          <label for="q">Canva user id, reference, purchase email or erasure receipt id</label>
          <input id="q" name="q" value={q} required />
          <button type="submit">Find</button>
        </form>
        {result?.receipt && (
          <p class="notice">
            Erasure receipt {result.receipt.receiptId}: the account was erased on{" "}
            {time(result.receipt.erasedAt)}.
          </p>
        )}
        {result && !result.receipt && !result.users.length && <p>No account matches.</p>}
        {result && result.users.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Reference</th>
                <th>Canva user</th>
                <th>Brand</th>
                <th>Created</th>
                <th>Credits</th>
              </tr>
            </thead>
            <tbody>
              {result.users.map((u) => (
                <tr>
                  <td>
                    <a href={`/support/users/${u.id}`}>{u.id}</a>
                  </td>
                  <td>{u.canvaUserId}</td>
                  <td>{u.brandId}</td>
                  <td>{day(u.createdAt)}</td>
                  <td>{u.creditBalance}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>,
    );
  });
}
