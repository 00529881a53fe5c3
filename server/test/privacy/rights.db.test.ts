// In-app rights (SPEC §9): DELETE /v1/me leaves no row, column or file tied to the user (a generic
// scan of the whole schema and the storage), keeps purchases and audit entries with a NULL user,
// and never re-grants free credits; GET /v1/me/export validates against its schema and holds
// what was created; a restriction stops generation but not export or erasure.
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteMeResponse, EXPORT_STATEMENTS, UserExport } from "@headshot/shared";
import { rowsOf } from "../../src/db/client";
import { auditLog, idempotencyKeys, privacyRequests, purchases, users } from "../../src/db/schema";
import { ApiError } from "../../src/http/api-error";
import { ERASED_TEXT } from "../../src/privacy/audit";
import { requireNotRestricted, restrictUser } from "../../src/privacy/restriction";
import { userPrefix } from "../../src/storage/storage";
import { adjustCredits } from "../../src/support/credits";
import { createRequest } from "../../src/support/requests";
import { TEST_DRIVER } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { apiUser, seedJob, seedPurchase } from "./seed";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const consent = (headers: Record<string, string>) =>
  h.json("POST", "/v1/consent", { photoProcessing: true, ageConfirmed18: true, policyVersion: "1" }, headers);

/** Every (table, column) in the database holding `value` anywhere in its text form. */
async function scanFor(values: string[]): Promise<string[]> {
  const columns = rowsOf<{ table_schema: string; table_name: string; column_name: string }>(
    await h.services.db.execute(sql`
      select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
       where t.table_type = 'BASE TABLE'
         and c.table_schema not in ('pg_catalog', 'information_schema')`),
  );
  expect(columns.length).toBeGreaterThan(50);
  const hits: string[] = [];
  for (const col of columns) {
    const ident = sql.raw(`"${col.table_schema}"."${col.table_name}"`);
    const column = sql.raw(`"${col.column_name}"`);
    for (const value of values) {
      const [row] = rowsOf<{ n: number }>(
        await h.services.db.execute(
          sql`select count(*)::int as n from ${ident} where strpos(${column}::text, ${value}) > 0`,
        ),
      );
      if (Number(row?.n) > 0)
        hits.push(`${col.table_schema}.${col.table_name}.${col.column_name} ∋ ${value}`);
    }
  }
  return hits;
}

describe(`privacy rights on ${TEST_DRIVER}`, () => {
  it("DELETE /v1/me erases every trace of the user and keeps billing and audit records unlinked", async () => {
    const canvaUserId = `erase-user-${randomUUID()}`;
    const brandId = `erase-brand-${randomUUID()}`;
    const user = await apiUser(h, { userId: canvaUserId, brandId });
    expect((await consent(user.headers)).status).toBe(200);
    const job = await seedJob(h, user.id, { count: 2 });
    await h.services.db
      .insert(idempotencyKeys)
      .values({ userId: user.id, key: "erase-key", jobId: job.jobId });
    const purchase = await seedPurchase(h, user.id, "payer@example.com");
    await h.services.db.update(users).set({ contactEmail: "me@example.com" }).where(eq(users.id, user.id));
    const request = await createRequest(
      h.services.db,
      {
        type: "access",
        channel: "email",
        jurisdiction: "gdpr",
        receivedAt: h.clock.now(),
        contact: "me@example.com",
      },
      { type: "cli" },
      h.clock.now(),
    );
    await h.services.db
      .update(privacyRequests)
      .set({ userId: user.id })
      .where(eq(privacyRequests.id, request.id));
    // Free text staff typed about the user: the audit entries stay, the text goes.
    const typed = [`disputes charge from ${canvaUserId}`, `goodwill for ${canvaUserId}`];
    await restrictUser(h.services.db, {
      userId: user.id,
      actor: { type: "cli" },
      now: h.clock.now(),
      reason: typed[0],
    });
    await adjustCredits(
      h.services.db,
      { userId: user.id, delta: 1, reason: typed[1]! },
      { type: "cli" },
      h.clock.now(),
    );
    // A write that crashed before its rename: invisible to list(), named after the user and job.
    const jobDir = path.join(h.filesDir, "outputs", user.id, job.jobId);
    mkdirSync(jobDir, { recursive: true });
    writeFileSync(path.join(jobDir, `${randomUUID()}.jpg.${randomUUID()}.tmp`), "half an image");
    const identifiers = [user.id, canvaUserId, brandId, "payer@example.com", purchase.stripeCustomerId!];
    expect(await scanFor(identifiers)).not.toEqual([]);

    const res = await h.app.request("/v1/me", { method: "DELETE", headers: user.headers });
    expect(res.status).toBe(200);
    const receipt = DeleteMeResponse.parse(await res.json());
    expect(receipt.receiptId).toMatch(/^ER-/);
    expect(receipt.erasedAt).toBe(h.clock.now().toISOString());

    expect(await scanFor(identifiers)).toEqual([]);
    expect(await h.services.storage.list(userPrefix(user.id))).toEqual([]);
    expect((await h.services.storage.list("outputs/")).filter((k) => k.includes(user.id))).toEqual([]);
    // Not a file, not a temp file, not an empty directory: no name on disk holds the user's ids.
    const names = readdirSync(h.filesDir, { recursive: true, encoding: "utf8" });
    expect(names.filter((n) => n.includes(user.id) || n.includes(job.jobId))).toEqual([]);

    const [kept] = await h.services.db.select().from(purchases).where(eq(purchases.id, purchase.id));
    expect(kept).toMatchObject({
      userId: null,
      amountCents: 900,
      credits: 10,
      currency: "eur",
      status: "paid",
      customerEmail: null,
      stripeCustomerId: null,
      updatedAt: h.clock.now(),
    });
    const [keptRequest] = await h.services.db
      .select()
      .from(privacyRequests)
      .where(eq(privacyRequests.id, request.id));
    expect(keptRequest!.userId).toBeNull();
    const trail = await h.services.db.select().from(auditLog);
    const restricted = trail.find((e) => e.action === "user.restricted");
    expect(restricted).toMatchObject({ subjectUserId: null, details: { reason: ERASED_TEXT } });
    const adjusted = trail.find((e) => e.action === "credits.adjusted");
    expect(adjusted).toMatchObject({ subjectUserId: null, details: { delta: 1, reason: ERASED_TEXT } });
    expect(JSON.stringify(trail)).not.toContain(canvaUserId);
    const erased = trail.find((e) => e.action === "user.erased");
    expect(erased).toMatchObject({ subjectUserId: null, actorType: "user" });
    expect(erased!.details).toMatchObject({ receiptId: receipt.receiptId, outputs: 2, jobs: 1 });

    // The token from before the erasure doesn't bring the account back, nor does a fresh one…
    // (a panel still polling the erased job included)…
    for (const headers of [user.headers, (await h.user({ userId: canvaUserId, brandId })).headers]) {
      for (const path of ["/v1/me", `/v1/headshots/${job.jobId}`]) {
        const refused = await h.app.request(path, { headers });
        expect(refused.status).toBe(403);
        expect(await refused.json()).toMatchObject({
          error: {
            code: "FORBIDDEN",
            reason: "ACCOUNT_ERASED",
            message: expect.stringMatching(/was deleted/),
          },
        });
      }
    }
    expect(await scanFor([canvaUserId])).toEqual([]);
    // …nor does a consent the route refuses (a 400 must leave no account behind)…
    const malformed = await h.json("POST", "/v1/consent", { photoProcessing: true }, user.headers);
    expect(malformed.status).toBe(403);
    expect((await h.app.request("/v1/me", { headers: user.headers })).status).toBe(403);
    // …until the person consents again: a new account, without a second round of free credits.
    expect((await consent(user.headers)).status).toBe(200);
    const again = await h.app.request("/v1/me", { headers: user.headers });
    const me = (await again.json()) as { user: { id: string }; credits: { balance: number } };
    expect(me.user.id).not.toBe(user.id);
    expect(me.credits.balance).toBe(0);
  });

  it("DELETE /v1/me needs a Canva token", async () => {
    expect((await h.app.request("/v1/me", { method: "DELETE" })).status).toBe(401);
  });

  it("GET /v1/me/export validates against its schema and holds what was created", async () => {
    const user = await apiUser(h);
    await consent(user.headers);
    const job = await seedJob(h, user.id, { count: 2 });
    const expired = await seedJob(h, user.id, {
      count: 1,
      createdAt: new Date(h.clock.now().getTime() - 31 * 86_400_000),
    });
    const purchase = await seedPurchase(h, user.id, "buyer@example.com");
    await restrictUser(h.services.db, {
      userId: user.id,
      actor: { type: "cli" },
      now: h.clock.now(),
      reason: "asked",
    });

    const res = await h.app.request("/v1/me/export", { headers: user.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toContain("attachment");
    const doc = UserExport.parse(await res.json());

    expect(doc.user).toMatchObject({
      id: user.id,
      canvaUserId: user.userId,
      canvaBrandId: user.brandId,
      creditBalance: 3,
    });
    expect(doc.trainingConsent).toBe(false);
    expect(doc.statements).toEqual(EXPORT_STATEMENTS);
    expect(doc.restriction).toMatchObject({ restricted: true, reason: "asked" });
    expect(doc.consents).toEqual([
      expect.objectContaining({ policyVersion: "1", photoProcessing: true, ageConfirmed18: true }),
    ]);
    expect(doc.jobs.map((j) => j.id).sort()).toEqual([job.jobId, expired.jobId].sort());
    expect(doc.outputs.map((o) => o.id).sort()).toEqual([...job.outputIds].sort());
    expect(doc.ledger).toEqual([expect.objectContaining({ kind: "grant_free", delta: 3 })]);
    expect(doc.purchases).toEqual([expect.objectContaining({ id: purchase.id, amountCents: 900 })]);

    // The links are fresh, signed and serve the output's bytes.
    const link = new URL(doc.outputs[0]!.url);
    const file = await h.app.request(link.pathname);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe(`image ${doc.outputs[0]!.id}`);
  });

  it("a restricted user gets 403 RESTRICTED on generation, and can still export and erase", async () => {
    const user = await apiUser(h);
    await consent(user.headers);
    await restrictUser(h.services.db, { userId: user.id, actor: { type: "cli" }, now: h.clock.now() });

    const refused = await h.app.request("/v1/headshots", {
      method: "POST",
      headers: user.headers,
      body: new FormData(),
    });
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; reason: string; message: string } };
    expect(body.error).toMatchObject({ code: "FORBIDDEN", reason: "RESTRICTED" });
    expect(body.error.message).toMatch(/paused at your request/);

    expect((await h.app.request("/v1/me/export", { headers: user.headers })).status).toBe(200);
    expect((await h.app.request("/v1/me", { method: "DELETE", headers: user.headers })).status).toBe(200);
  });

  it("requireNotRestricted passes an unrestricted user and refuses a restricted one", () => {
    expect(() => requireNotRestricted({ restrictedAt: null })).not.toThrow();
    const error = (() => {
      try {
        requireNotRestricted({ restrictedAt: new Date() });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "FORBIDDEN", status: 403, reason: "RESTRICTED" });
  });
});
