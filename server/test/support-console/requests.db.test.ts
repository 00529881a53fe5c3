// Privacy requests in the console (SPEC §10): each request type end to end over HTTP (record →
// acknowledge → verify identity → act → complete or deny), due dates per jurisdiction, the queue
// with overdue first under an injected clock, one extension, and an audit entry for every step.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserExport } from "@headshot/shared";
import { auditLog, privacyRequests, supportUsers, users } from "../../src/db/schema";
import { addMonths, acknowledgementDue, daysLeft, dueDate } from "../../src/support/deadlines";
import { listOpenRequests } from "../../src/support/requests";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { apiUser, seedJob, seedPurchase } from "../privacy/seed";
import { signIn, staffAccount, type ConsoleClient } from "./console-client";

let h: Harness;
let admin: ConsoleClient;
let adminEmail: string;
beforeAll(async () => {
  h = await createHarness();
  adminEmail = await staffAccount(h);
  admin = await signIn(h, adminEmail);
});

/** Moves the clock; the console session would have timed out, so sign in again. */
async function advanceDays(days: number) {
  h.clock.advance(days * 86_400_000);
  admin = await signIn(h, adminEmail);
}
afterAll(async () => {
  await h?.close();
});

const today = () => h.clock.now().toISOString().slice(0, 10);

async function newRequest(type: string, fields: Record<string, string> = {}): Promise<string> {
  const res = await admin.post("/support/new-request", {
    type,
    channel: "email",
    jurisdiction: "gdpr",
    receivedOn: today(),
    contact: "requester@example.com",
    ...fields,
  });
  expect(res.status).toBe(303);
  return /\/support\/requests\/([0-9a-f-]{36})/.exec(res.headers.get("Location")!)![1]!;
}

async function act(id: string, action: string, fields: Record<string, string> = {}, status = 303) {
  const res = await admin.post(`/support/requests/${id}/${action}`, fields);
  expect(res.status, `${action}: ${res.status === status ? "" : await res.text()}`).toBe(status);
  return res;
}

async function request(id: string) {
  const [row] = await h.services.db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  return row!;
}

const auditActions = async (id: string) =>
  (
    await h.services.db.select().from(auditLog).where(eq(auditLog.privacyRequestId, id)).orderBy(auditLog.id)
  ).map((e) => e.action);

describe(`privacy requests on ${TEST_DRIVER}`, () => {
  it("access: acknowledge, verify by the in-app reference, download the export, complete", async () => {
    const user = await apiUser(h);
    const job = await seedJob(h, user.id);
    const id = await newRequest("access");
    await act(id, "acknowledge");
    await act(id, "verify", { method: "reference", value: "00000000-0000-0000-0000-000000000000" }, 400);
    expect((await request(id)).status).toBe("acknowledged");
    await act(id, "verify", { method: "reference", value: user.id });
    const download = await act(id, "export", {}, 200);
    expect(download.headers.get("Content-Disposition")).toContain("attachment");
    const doc = UserExport.parse(await download.json());
    expect(doc.jobs.map((j) => j.id)).toEqual([job.jobId]);
    expect(doc).not.toHaveProperty("downloadUrl");
    await act(id, "complete", { note: "sent by email" });
    expect(await request(id)).toMatchObject({
      status: "completed",
      userId: user.id,
      verificationMethod: "in-app reference",
    });
    expect(await auditActions(id)).toEqual([
      "privacy_request.created",
      "privacy_request.acknowledged",
      "privacy_request.verified",
      "privacy_request.export_generated",
      "privacy_request.completed",
    ]);
    const page = await (await admin.get(`/support/requests/${id}`)).text();
    expect(page).toContain("sent by email");
    expect(page).toContain("privacy_request.export_generated");
  });

  it("export: verify by a purchase email we hold, when the request came from it", async () => {
    const user = await apiUser(h);
    await seedPurchase(h, user.id, "Payer.One@Example.com");
    const id = await newRequest("export", { jurisdiction: "ccpa", contact: " PAYER.one@example.com" });
    await act(id, "verify", { method: "purchase_email", value: "someone-else@example.com" }, 400);
    await act(id, "verify", { method: "purchase_email", value: "payer.one@example.com" });
    expect(await request(id)).toMatchObject({
      status: "verified",
      userId: user.id,
      verificationMethod: "purchase email",
    });
    expect((await request(id)).acknowledgedAt).not.toBeNull();
    await act(id, "export", {}, 200);
    await act(id, "complete", { note: "sent" });
    expect((await request(id)).status).toBe("completed");
  });

  it("a purchase email verifies nobody when the request came from another address or channel", async () => {
    const bob = await apiUser(h);
    await seedPurchase(h, bob.id, "bob@example.com");
    const id = await newRequest("erasure", { contact: "attacker@evil.com" });
    const refused = await act(id, "verify", { method: "purchase_email", value: "bob@example.com" }, 400);
    expect(await refused.text()).toMatch(/reference shown in the app or by the erasure receipt/);
    expect(await request(id)).toMatchObject({ status: "received", userId: null });

    // The right address by post proves nothing about who controls the mailbox.
    const byPost = await newRequest("erasure", { channel: "post", contact: "bob@example.com" });
    await act(byPost, "verify", { method: "purchase_email", value: "bob@example.com" }, 400);
    expect(await request(byPost)).toMatchObject({ status: "received", userId: null });
  });

  it("audits every lookup and account view by the staff member, without the query or personal data", async () => {
    const user = await apiUser(h);
    const email = `viewed-${user.id}@example.com`;
    await seedPurchase(h, user.id, email);
    const [staff] = await h.services.db.select().from(supportUsers).where(eq(supportUsers.email, adminEmail));
    const before = (await h.services.db.select({ id: auditLog.id }).from(auditLog)).length;

    const lookup = await admin.get(`/support/users?q=${encodeURIComponent(email)}`);
    expect(await lookup.text()).toContain(user.userId);
    const account = await admin.get(`/support/users/${user.id}`);
    expect(await account.text()).toContain(email);

    const entries = (await h.services.db.select().from(auditLog).orderBy(auditLog.id)).slice(before);
    expect(entries).toMatchObject([
      {
        action: "user.lookup",
        actorType: "support",
        actorId: staff!.id,
        subjectUserId: user.id,
        details: { queryKind: "email", matches: 1 },
      },
      { action: "user.viewed", actorType: "support", actorId: staff!.id, subjectUserId: user.id },
    ]);
    const details = JSON.stringify(entries.map((e) => e.details));
    for (const personal of [email, user.id, user.userId, user.brandId])
      expect(details).not.toContain(personal);
  });

  it("erasure: can't act before verification; erases the account and its files and completes", async () => {
    const user = await apiUser(h);
    const job = await seedJob(h, user.id);
    const id = await newRequest("erasure");
    await act(id, "erase", { confirm: "yes" }, 409);
    await act(id, "verify", { method: "reference", value: user.id });
    await act(id, "erase", {}, 400);
    await act(id, "erase", { confirm: "yes" });
    expect(await h.services.db.select().from(users).where(eq(users.id, user.id))).toEqual([]);
    for (const key of job.keys) expect(await h.services.storage.get(key)).toBeUndefined();
    expect(await request(id)).toMatchObject({ status: "completed", userId: null });
    const trail = await h.services.db.select().from(auditLog).where(eq(auditLog.privacyRequestId, id));
    const erased = trail.find((e) => e.action === "user.erased")!;
    expect(erased).toMatchObject({ actorType: "support", subjectUserId: null });
    const { receiptId } = erased.details as { receiptId: string };

    // A later request about the erased account verifies by its receipt id; there is nothing to act on.
    const followUp = await newRequest("access");
    await act(followUp, "verify", { method: "reference", value: receiptId });
    expect(await request(followUp)).toMatchObject({
      status: "verified",
      userId: null,
      verificationMethod: "erasure receipt",
    });
    expect(await (await admin.get(`/support/requests/${followUp}`)).text()).toContain("No account is linked");
    const lookup = await (await admin.get(`/support/users?q=${receiptId}`)).text();
    expect(lookup).toContain("the account was erased");
  });

  it("restriction: restricting stops generation; lifting it resumes; then complete", async () => {
    const user = await apiUser(h);
    await h.json(
      "POST",
      "/v1/consent",
      { photoProcessing: true, ageConfirmed18: true, policyVersion: "1" },
      user.headers,
    );
    const id = await newRequest("restriction");
    await act(id, "verify", { method: "reference", value: user.id });
    await act(id, "restrict", { reason: "accuracy contested" });
    const [row] = await h.services.db.select().from(users).where(eq(users.id, user.id));
    expect(row).toMatchObject({ restrictionReason: "accuracy contested" });
    const refused = await h.app.request("/v1/headshots", {
      method: "POST",
      headers: user.headers,
      body: new FormData(),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { reason: string } }).error.reason).toBe("RESTRICTED");
    await act(id, "unrestrict", { reason: "resolved" });
    const [after] = await h.services.db.select().from(users).where(eq(users.id, user.id));
    expect(after!.restrictedAt).toBeNull();
    await act(id, "complete", { note: "told the user" });
    expect(await auditActions(id)).toEqual([
      "privacy_request.created",
      "privacy_request.verified",
      "user.restricted",
      "privacy_request.restriction_applied",
      "user.unrestricted",
      "privacy_request.restriction_lifted",
      "privacy_request.completed",
    ]);
  });

  it("rectification: corrects the contact email; the audit names the field, not the value", async () => {
    const user = await apiUser(h);
    const id = await newRequest("rectification");
    await act(id, "verify", { method: "reference", value: user.id });
    await act(id, "rectify", { contactEmail: "not an email" }, 400);
    await act(id, "rectify", { contactEmail: "fixed@example.com" });
    const [row] = await h.services.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.contactEmail).toBe("fixed@example.com");
    const trail = await h.services.db.select().from(auditLog).where(eq(auditLog.privacyRequestId, id));
    expect(JSON.stringify(trail)).not.toContain("fixed@example.com");
    await act(id, "complete", { note: "done" });
    expect((await request(id)).status).toBe("completed");
  });

  it("objection: denied with a reason; a closed request takes no more steps", async () => {
    const id = await newRequest("objection");
    await act(id, "acknowledge");
    await act(id, "deny", { reason: "" }, 400);
    await act(id, "deny", { reason: "we process no data on legitimate interests" });
    expect(await request(id)).toMatchObject({
      status: "denied",
      denialReason: "we process no data on legitimate interests",
    });
    await act(id, "acknowledge", {}, 409);
    await act(id, "extend", { reason: "late" }, 409);
    await act(id, "note", { note: "requester informed" });
    expect((await request(id)).notes).toContain("requester informed");
  });

  it("sets due dates by jurisdiction: GDPR one calendar month, CCPA 45 days; acknowledgement 5 working days", () => {
    expect(dueDate(new Date("2026-01-31T00:00:00Z"), "gdpr").toISOString()).toBe("2026-02-28T00:00:00.000Z");
    expect(dueDate(new Date("2026-03-15T00:00:00Z"), "gdpr").toISOString()).toBe("2026-04-15T00:00:00.000Z");
    expect(dueDate(new Date("2026-01-01T00:00:00Z"), "ccpa").toISOString()).toBe("2026-02-15T00:00:00.000Z");
    expect(addMonths(new Date("2026-12-31T00:00:00Z"), 2).toISOString()).toBe("2027-02-28T00:00:00.000Z");
    // Friday → the next Friday (skipping the weekend).
    expect(acknowledgementDue(new Date("2026-01-02T00:00:00Z")).toISOString()).toBe(
      "2026-01-09T00:00:00.000Z",
    );
  });

  it("extends once, with a reason, before the due date: +2 months (GDPR), +45 days (CCPA)", async () => {
    const gdpr = await newRequest("access", { receivedOn: today() });
    const due = (await request(gdpr)).dueAt;
    await act(gdpr, "extend", { reason: "" }, 400);
    await act(gdpr, "extend", { reason: "complex: several accounts" });
    expect((await request(gdpr)).dueAt.toISOString()).toBe(addMonths(due, 2).toISOString());
    await act(gdpr, "extend", { reason: "again" }, 409);

    const ccpa = await newRequest("access", { jurisdiction: "ccpa" });
    const ccpaDue = (await request(ccpa)).dueAt;
    await act(ccpa, "extend", { reason: "complex" });
    expect((await request(ccpa)).dueAt.getTime() - ccpaDue.getTime()).toBe(45 * 86_400_000);

    const late = await newRequest("access");
    await advanceDays(32);
    await act(late, "extend", { reason: "too late" }, 409);
  });

  it("lists open requests overdue first, with days left, under an injected clock", async () => {
    await h.services.db.delete(privacyRequests);
    const start = h.clock.now();
    const day = (n: number) => new Date(start.getTime() + n * 86_400_000).toISOString().slice(0, 10);
    const ccpaOld = await newRequest("erasure", { jurisdiction: "ccpa", receivedOn: day(-40) }); // due in ~5 d
    const gdprOld = await newRequest("access", { receivedOn: day(-35) }); // overdue ~4 d
    const gdprNew = await newRequest("export", { receivedOn: day(-2) }); // due in ~29 d
    const gdprOlder = await newRequest("objection", { receivedOn: day(-45) }); // overdue ~14 d

    const order = (await listOpenRequests(h.services.db, h.clock.now())).map((r) => r.id);
    expect(order).toEqual([gdprOlder, gdprOld, ccpaOld, gdprNew]);

    const html = await (await admin.get("/support")).text();
    const rows = [...html.matchAll(/data-request-id="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual([gdprOlder, gdprOld, ccpaOld, gdprNew]);
    expect(html).toContain("2 overdue of 4 open");
    const oldest = await request(gdprOlder);
    expect(html).toContain(`overdue by ${-daysLeft(oldest.dueAt, h.clock.now())} d`);

    // Ten days later the CCPA request is overdue too.
    await advanceDays(10);
    const later = await listOpenRequests(h.services.db, h.clock.now());
    expect(later.filter((r) => r.dueAt <= h.clock.now()).map((r) => r.id)).toEqual([
      gdprOlder,
      gdprOld,
      ccpaOld,
    ]);
  });
});
