// The console's read-only JSON API (SPEC §4, §10): the staff session cookie or 401 (no redirect),
// the queue with its deadlines under an injected clock, one request with its audit trail, and the
// user lookup, audited like the page's.
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { apiUser } from "../privacy/seed";
import { signIn, staffAccount, type ConsoleClient } from "./console-client";

let h: Harness;
let staff: ConsoleClient;
beforeAll(async () => {
  h = await createHarness();
  staff = await signIn(h, await staffAccount(h, "support"));
});
afterAll(() => h?.close());

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await staff.get(path);
  expect(res.status, path).toBe(status);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  return (await res.json()) as T;
}

interface QueueEntry {
  id: string;
  type: string;
  status: string;
  daysLeft: number;
  overdue: boolean;
  acknowledgementLate: boolean;
}

describe(`support console JSON API on ${TEST_DRIVER}`, () => {
  it("needs the staff session: 401 with the API's error body, not a redirect to the login page", async () => {
    for (const path of ["/support/api/requests", "/support/api/users?q=x"]) {
      const res = await h.app.request(path);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
  });

  it("lists the queue with days left, overdue and late acknowledgement, and one request with its trail", async () => {
    const created = await staff.post("/support/new-request", {
      type: "access",
      channel: "email",
      jurisdiction: "gdpr",
      receivedOn: h.clock.now().toISOString().slice(0, 10),
      contact: "requester@example.com",
    });
    expect(created.status).toBe(303);
    const id = /\/support\/requests\/([0-9a-f-]{36})/.exec(created.headers.get("Location")!)![1]!;

    const fresh = (await json<{ open: QueueEntry[] }>("/support/api/requests")).open.find((r) => r.id === id);
    expect(fresh).toMatchObject({
      type: "access",
      status: "received",
      overdue: false,
      acknowledgementLate: false,
    });
    expect(fresh!.daysLeft).toBeGreaterThanOrEqual(28);

    h.clock.advance(40 * 86_400_000);
    staff = await signIn(h, await staffAccount(h, "support")); // the old session has expired
    const late = (await json<{ open: QueueEntry[] }>("/support/api/requests")).open.find((r) => r.id === id);
    expect(late).toMatchObject({ overdue: true, acknowledgementLate: true });
    expect(late!.daysLeft).toBeLessThan(0);

    const detail = await json<{ request: QueueEntry; trail: { action: string }[] }>(
      `/support/api/requests/${id}`,
    );
    expect(detail.request).toMatchObject({ id, overdue: true });
    expect(detail.trail.map((t) => t.action)).toContain("privacy_request.created");
    const missing = await json<{ error: { code: string } }>(
      "/support/api/requests/00000000-0000-4000-8000-000000000000",
      404,
    );
    expect(missing.error.code).toBe("NOT_FOUND");
  });

  it("looks a user up by reference and audits the lookup by kind, not by query", async () => {
    const user = await apiUser(h, { userId: `api-lookup-${crypto.randomUUID()}` });
    const found = await json<{ kind: string; users: { id: string }[] }>(`/support/api/users?q=${user.id}`);
    expect(found).toMatchObject({ kind: "reference", users: [{ id: user.id }] });

    const [entry] = await h.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "user.lookup"))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry).toMatchObject({ subjectUserId: user.id, details: { queryKind: "reference", matches: 1 } });
    expect(JSON.stringify(entry)).not.toContain(`q=${user.id}`);
  });
});
