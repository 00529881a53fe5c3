// Malformed input answers 400 (401 for a token) with the SPEC §4 error body and a sentence, never
// a 500 with a stack in the log: each case below was a 500 before. NUL bytes (PostgreSQL stores
// none in text), cursors of the right shape whose date or id isn't real, out-of-range dates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/jobs/history-cursor";
import { createHarness, type Harness, type TestUser } from "../support/harness";
import { loginAttempt, signIn, staffAccount, type ConsoleClient } from "../support-console/console-client";

const NUL = "\u0000";
const ERROR_LEVEL = /"level":(50|60)/;

let h: Harness;
let user: TestUser;
let staff: ConsoleClient;

beforeAll(async () => {
  h = await createHarness();
  user = await h.user();
  staff = await signIn(h, await staffAccount(h));
});
afterAll(() => h?.close());

async function expectApiError(res: Response, status: number, message: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.message).toMatch(message);
  expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
  expect(h.logs()).not.toMatch(ERROR_LEVEL);
}

async function expectConsoleError(res: Response, message: RegExp) {
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(message);
  expect(h.logs()).not.toMatch(ERROR_LEVEL);
}

describe("the history cursor", () => {
  const rawCursor = (text: string) => Buffer.from(text).toString("base64url");
  const page = (cursor: string) =>
    h.app.request(`/v1/headshots?cursor=${encodeURIComponent(cursor)}`, { headers: user.headers });
  const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

  it.each([
    ["an id that is not a UUID", rawCursor(`2026-01-01T00:00:00.000Z|${"-".repeat(36)}`)],
    ["year 0", rawCursor(`0000-01-01T00:00:00.000Z|${ID}`)],
    ["a year past 9999", rawCursor(`+275760-09-13T00:00:00.000Z|${ID}`)],
    ["a negative year", rawCursor(`-000001-01-01T00:00:00.000Z|${ID}`)],
    ["31 February", rawCursor(`2026-02-31T00:00:00.000Z|${ID}`)],
    ["a NUL", NUL],
  ])("%s → 400", async (_name, cursor) => {
    await expectApiError(await page(cursor), 400, /cursor is not valid; start again from the first page/);
  });

  it("a cursor the server wrote still pages", async () => {
    const res = await page(encodeCursor({ createdAt: new Date(), id: ID }));
    expect(res.status).toBe(200);
  });
});

describe("Canva identities", () => {
  it.each([
    ["a NUL in the user id", { userId: `u${NUL}`, brandId: "b" }],
    ["a 10,000-character brand id", { userId: "u", brandId: "b".repeat(10_000) }],
  ])("a token with %s → 401 TOKEN_INVALID", async (_name, claims) => {
    const token = await h.services.devIssuer!.issueToken(claims);
    const res = await h.app.request("/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    await expectApiError(res, 401, /userId or brandId is not a Canva id/);
  });

  it("the development issuer refuses to mint one → 400", async () => {
    const res = await h.json("POST", "/dev/token", { userId: `u${NUL}` });
    await expectApiError(res, 400, /userId must be 1 to 256 visible ASCII characters/);
  });
});

describe("JSON bodies", () => {
  it.each([
    ["/v1/consent", { photoProcessing: true, ageConfirmed18: true, policyVersion: `1${NUL}` }],
    ["/v1/billing/checkout", { packId: `starter${NUL}` }],
  ])("a NUL in a string of POST %s → 400", async (path, body) => {
    await expectApiError(
      await h.json("POST", path, body, user.headers),
      400,
      /must not contain a NUL character/,
    );
  });
});

describe("the support console", () => {
  const NUL_SENTENCE = /a character we can\S+ accept \(NUL\)/;
  const newRequest = (fields: Record<string, string>) =>
    staff.post("/support/new-request", {
      type: "access",
      channel: "email",
      jurisdiction: "gdpr",
      receivedOn: h.clock.now().toISOString().slice(0, 10),
      ...fields,
    });

  it("a body that is not a form, on the sign-in page without signing in → 400", async () => {
    const res = await h.app.request("/support/login", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=x" },
      body: "not a form at all",
    });
    await expectConsoleError(res, /form could not be read/);
  });

  it("a NUL in the sign-in email, without signing in → 400", async () => {
    await expectConsoleError(
      await loginAttempt(h, `admin${NUL}@example.com`, "whatever it is"),
      NUL_SENTENCE,
    );
  });

  it("a NUL in the user search, page and JSON API → 400", async () => {
    await expectConsoleError(
      await staff.get(`/support/users?q=${encodeURIComponent(`x${NUL}`)}`),
      NUL_SENTENCE,
    );
    await expectConsoleError(
      await staff.get(`/support/users?q=${encodeURIComponent(`a@b${NUL}`)}`),
      NUL_SENTENCE,
    );
    const api = await staff.get(`/support/api/users?q=${encodeURIComponent(`x${NUL}`)}`);
    await expectApiError(api, 400, NUL_SENTENCE);
  });

  it("a NUL in a new request's contact or notes → 400", async () => {
    await expectConsoleError(await newRequest({ contact: `a${NUL}@example.com` }), NUL_SENTENCE);
    await expectConsoleError(await newRequest({ notes: `n${NUL}` }), NUL_SENTENCE);
  });

  it("a received date in year 0 → 400", async () => {
    await expectConsoleError(
      await newRequest({ receivedOn: "0000-01-01" }),
      /can\S+ be more than a year ago/,
    );
  });

  it("a NUL in a request action's text → 400", async () => {
    const created = await newRequest({ contact: "a@example.com" });
    const path = created.headers.get("Location")!.split("?")[0]!;
    for (const [action, field] of [
      ["note", "note"],
      ["deny", "reason"],
      ["verify", "value"],
    ] as const) {
      await expectConsoleError(
        await staff.post(`${path}/${action}`, { [field]: `x${NUL}`, method: "reference" }),
        NUL_SENTENCE,
      );
    }
  });
});
