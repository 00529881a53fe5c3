// The next steps a privacy request's status allows, as forms: acknowledge, verify identity, the
// action its type calls for, complete, deny, extend once, add a note.
import type { SupportContext } from "../console-env";
import type { PrivacyRequest } from "../requests";
import { ActionForm } from "./layout";

const OPEN = ["received", "acknowledged", "verified", "in_progress"];

export function NextSteps({ c, r }: { c: SupportContext; r: PrivacyRequest }) {
  const base = `/support/requests/${r.id}`;
  const open = OPEN.includes(r.status);
  const actionable = r.status === "verified" || r.status === "in_progress";
  return (
    <>
      {r.status === "received" && (
        <section>
          <h2>Acknowledge</h2>
          <ActionForm c={c} action={`${base}/acknowledge`}>
            <button type="submit">Mark as acknowledged</button>
          </ActionForm>
        </section>
      )}
      {(r.status === "received" || r.status === "acknowledged") && (
        <section>
          <h2>Verify identity</h2>
          <p>Use only what we already hold; never ask for new documents.</p>
          <ActionForm c={c} action={`${base}/verify`}>
            <label for="method">Proof</label>
            <select id="method" name="method">
              <option value="reference">Reference shown in the app, or an erasure receipt id</option>
              <option value="purchase_email">
                Email of a purchase we hold (only if the request was emailed from it)
              </option>
            </select>
            <label for="value">Value given by the requester</label>
            <input id="value" name="value" required />
            <div>
              <button type="submit">Verify</button>
            </div>
          </ActionForm>
        </section>
      )}
      {actionable && <TypeActions c={c} r={r} base={base} />}
      {actionable && (
        <section>
          <h2>Complete</h2>
          <ActionForm c={c} action={`${base}/complete`}>
            <label for="complete-note">How the requester was answered</label>
            <textarea id="complete-note" name="note"></textarea>
            <button type="submit">Mark as completed</button>
          </ActionForm>
        </section>
      )}
      {open && (
        <section>
          <h2>Deny or extend</h2>
          <ActionForm c={c} action={`${base}/deny`}>
            <label for="deny-reason">Reason for denial (told to the requester)</label>
            <textarea id="deny-reason" name="reason" required></textarea>
            <button type="submit" class="danger">
              Deny
            </button>
          </ActionForm>
          {!r.extendedAt && (
            <ActionForm c={c} action={`${base}/extend`}>
              <label for="extend-reason">Reason for the one extension (tell the requester now)</label>
              <textarea id="extend-reason" name="reason" required></textarea>
              <button type="submit">Extend the due date</button>
            </ActionForm>
          )}
        </section>
      )}
      <section>
        <ActionForm c={c} action={`${base}/note`}>
          <label for="note">Add a note</label>
          <textarea id="note" name="note" required></textarea>
          <button type="submit">Add note</button>
        </ActionForm>
      </section>
    </>
  );
}

function TypeActions({ c, r, base }: { c: SupportContext; r: PrivacyRequest; base: string }) {
  if (!r.userId) {
    return (
      <section>
        <p>No account is linked (it was verified by an erasure receipt): nothing is held to act on.</p>
      </section>
    );
  }
  return (
    <section>
      <h2>Act</h2>
      {(r.type === "access" || r.type === "export") && (
        <ActionForm c={c} action={`${base}/export`}>
          <p>Downloads the JSON export to send to the requester.</p>
          <button type="submit">Download the export</button>
        </ActionForm>
      )}
      {r.type === "erasure" && (
        <ActionForm c={c} action={`${base}/erase`}>
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> Erase this account and its files
            now; this cannot be undone
          </label>
          <button type="submit" class="danger">
            Erase now
          </button>
        </ActionForm>
      )}
      {(r.type === "restriction" || r.type === "objection") && (
        <>
          <ActionForm c={c} action={`${base}/restrict`}>
            <label for="restrict-reason">Reason</label>
            <input id="restrict-reason" name="reason" required />
            <button type="submit">Restrict processing</button>
          </ActionForm>
          <ActionForm c={c} action={`${base}/unrestrict`}>
            <label for="unrestrict-reason">Reason for lifting</label>
            <input id="unrestrict-reason" name="reason" required />
            <button type="submit">Lift the restriction</button>
          </ActionForm>
        </>
      )}
      {r.type === "rectification" && (
        <ActionForm c={c} action={`${base}/rectify`}>
          <label for="contactEmail">Corrected contact email</label>
          <input id="contactEmail" name="contactEmail" type="email" required />
          <button type="submit">Correct</button>
        </ActionForm>
      )}
    </section>
  );
}
