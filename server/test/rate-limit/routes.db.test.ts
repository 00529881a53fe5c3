// The limits on the real app (SPEC §6.2, §9), on the store each driver gets (memory on PGlite,
// PostgreSQL on PostgreSQL): failed authentication per IP, consent per user, reads never.
// The IP: app.request's third argument is what @hono/node-server passes as c.env, so
// `{ incoming: { socket: { remoteAddress } } }` stands in for the socket getConnInfo reads.
import { CURRENT_POLICY_VERSION } from "@headshot/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../support/harness";

const CONSENT = { photoProcessing: true, ageConfirmed18: true, policyVersion: CURRENT_POLICY_VERSION };
const BAD_TOKEN = { Authorization: "Bearer not.a.token" };

const fromSocket = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

let h: Harness;
afterEach(() => h?.close());

describe("failed authentication, per IP (auth_failure 60/min)", () => {
  beforeEach(async () => {
    h = await createHarness();
  });

  const failFrom = (ip: string, headers: Record<string, string> = {}) =>
    h.app.request("/v1/me", { headers: { ...BAD_TOKEN, ...headers } }, fromSocket(ip));

  it("the 61st failure within a minute from one IP gets 429 with Retry-After", async () => {
    for (let i = 0; i < 60; i += 1) expect((await failFrom("203.0.113.7")).status).toBe(401);
    const refused = await failFrom("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("1");
    expect(refused.headers.get("RateLimit-Limit")).toBe("60");
    expect(refused.headers.get("RateLimit-Remaining")).toBe("0");
    expect(refused.headers.get("RateLimit-Reset")).toBe("60");
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });

    h.clock.advance(1_000);
    expect((await failFrom("203.0.113.7")).status).toBe(401);
  });

  it("counts per IP, and a forged X-Forwarded-For doesn't pick another bucket", async () => {
    for (let i = 0; i < 60; i += 1) await failFrom("203.0.113.7");
    expect((await failFrom("203.0.113.7", { "X-Forwarded-For": "198.51.100.9" })).status).toBe(429);
    expect((await failFrom("203.0.113.8")).status).toBe(401);
  });

  it("a valid token still gets in from an IP whose failures are spent", async () => {
    const user = await h.user();
    for (let i = 0; i < 61; i += 1) await failFrom("203.0.113.7");
    const res = await h.app.request("/v1/me", { headers: user.headers }, fromSocket("203.0.113.7"));
    expect(res.status).toBe(200);
  });

  it("behind one trusted proxy (TRUST_PROXY_HOPS=1), the hop the proxy appended is the IP", async () => {
    await h.close();
    h = await createHarness({ TRUST_PROXY_HOPS: "1" });
    const viaProxy = (xff: string) =>
      h.app.request("/v1/me", { headers: { ...BAD_TOKEN, "X-Forwarded-For": xff } }, fromSocket("10.0.0.5"));
    // The client's own claim (left) changes nothing; the address the proxy saw does.
    for (let i = 0; i < 60; i += 1) await viaProxy(`spoof-${i}, 198.51.100.1`);
    expect((await viaProxy("anything, 198.51.100.1")).status).toBe(429);
    expect((await viaProxy("198.51.100.1, 198.51.100.2")).status).toBe(401);
  });

  it("behind two trusted proxies, a chain shorter than that did not come through them: its socket counts, not its claim", async () => {
    await h.close();
    h = await createHarness({ TRUST_PROXY_HOPS: "2" });
    const direct = (xff: string | undefined) =>
      h.app.request(
        "/v1/me",
        { headers: { ...BAD_TOKEN, ...(xff ? { "X-Forwarded-For": xff } : {}) } },
        fromSocket("203.0.113.7"),
      );
    // Claiming another address spends the socket's own budget.
    for (let i = 0; i < 60; i += 1) await direct(undefined);
    expect((await direct("198.51.100.1")).status).toBe(429);
  });

  it("an IPv6 client is limited by its /64, however many of its addresses it uses", async () => {
    for (let i = 0; i < 60; i += 1) await failFrom(`2001:db8:1:2::${(i + 1).toString(16)}`);
    expect((await failFrom("2001:db8:1:2:ffff::1")).status).toBe(429);
    expect((await failFrom("2001:db8:1:3::1")).status).toBe(401);
  });

  it("without a socket, the first X-Forwarded-For hop is the IP", async () => {
    const fail = (xff: string) =>
      h.app.request("/v1/me", { headers: { ...BAD_TOKEN, "X-Forwarded-For": xff } });
    for (let i = 0; i < 60; i += 1) await fail("198.51.100.1, 10.0.0.1");
    expect((await fail("198.51.100.1, 10.0.0.2")).status).toBe(429);
    expect((await fail("198.51.100.2, 10.0.0.1")).status).toBe(401);
  });
});

describe("consent, per user (privacy 10/min); reads never", () => {
  beforeEach(async () => {
    h = await createHarness();
  });

  it("the 11th consent POST within a minute gets 429; another user is unaffected", async () => {
    const alice = await h.user();
    const bob = await h.user();
    const first = await h.json("POST", "/v1/consent", CONSENT, alice.headers);
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Limit")).toBe("10");
    expect(first.headers.get("RateLimit-Remaining")).toBe("9");
    expect(first.headers.get("RateLimit-Reset")).toBe("6");
    for (let i = 0; i < 9; i += 1) {
      expect((await h.json("POST", "/v1/consent", CONSENT, alice.headers)).status).toBe(200);
    }
    const refused = await h.json("POST", "/v1/consent", CONSENT, alice.headers);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("6");
    expect(refused.headers.get("RateLimit-Remaining")).toBe("0");
    expect((await h.json("POST", "/v1/consent", CONSENT, bob.headers)).status).toBe(200);

    h.clock.advance(6_000);
    expect((await h.json("POST", "/v1/consent", CONSENT, alice.headers)).status).toBe(200);
  });

  it("a refused body still spends a request (writes are counted, not successes)", async () => {
    const user = await h.user();
    const bad = await h.json("POST", "/v1/consent", { photoProcessing: true }, user.headers);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("RateLimit-Remaining")).toBe("9");
  });

  it("GET /v1/me is never limited, even once the user's writes are spent", async () => {
    const user = await h.user();
    for (let i = 0; i < 11; i += 1) await h.json("POST", "/v1/consent", CONSENT, user.headers);
    for (let i = 0; i < 100; i += 1) {
      const res = await h.app.request("/v1/me", { headers: user.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Limit")).toBeNull();
    }
  });
});

describe("RATE_LIMITS", () => {
  it("sets the limits the routes use", async () => {
    h = await createHarness({ RATE_LIMITS: "privacy=2/min" });
    const user = await h.user();
    expect((await h.json("POST", "/v1/consent", CONSENT, user.headers)).status).toBe(200);
    const second = await h.json("POST", "/v1/consent", CONSENT, user.headers);
    expect(second.headers.get("RateLimit-Limit")).toBe("2");
    expect((await h.json("POST", "/v1/consent", CONSENT, user.headers)).status).toBe(429);
  });
});
