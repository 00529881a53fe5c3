// The ready-made limits others mount: limitGeneration on a tiny route (SPEC §6.2: the 11th
// generation within a minute gets 429), and the support-login check per IP.
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UserRow } from "../../src/domain/users";
import { ApiError } from "../../src/http/api-error";
import type { HonoEnv } from "../../src/http/env";
import { onError } from "../../src/http/on-error";
import { limitGeneration, limitPrivacy, limitSupportLogin, rateLimitedError } from "../../src/rate-limit";
import { createHarness, type Harness } from "../support/harness";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h?.close());

/** A tiny app with the real services; the caller's user id comes from a header. */
function tinyApp() {
  const app = new Hono<HonoEnv>();
  app.use(async function actAs(c, next) {
    c.set("services", h.services);
    // Only the id is read by the per-user limits.
    c.set("user", { id: c.req.header("X-User") ?? "nobody" } as UserRow);
    await next();
  });
  app.onError(onError);
  return app;
}

describe("limitGeneration", () => {
  function generationApp() {
    const app = tinyApp();
    app.post("/v1/headshots", limitGeneration, (c) => {
      if (c.req.header("X-Fail")) throw new ApiError("INSUFFICIENT_CREDITS", "No credits left.");
      return c.json({ accepted: true }, 202);
    });
    return app;
  }
  const post = (app: Hono<HonoEnv>, user: string, headers: Record<string, string> = {}) =>
    app.request("/v1/headshots", { method: "POST", headers: { "X-User": user, ...headers } });

  it("the 11th generation within a minute gets 429 with Retry-After; another user is unaffected", async () => {
    const app = generationApp();
    for (let i = 0; i < 10; i += 1) expect((await post(app, "u1")).status).toBe(202);
    const refused = await post(app, "u1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("6");
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect((await post(app, "u2")).status).toBe(202);
  });

  it("sets RateLimit-* on the route's own error responses too", async () => {
    const res = await post(generationApp(), "u1", { "X-Fail": "1" });
    expect(res.status).toBe(402);
    expect(res.headers.get("RateLimit-Limit")).toBe("10");
    expect(res.headers.get("RateLimit-Remaining")).toBe("9");
  });
});

describe("limitPrivacy", () => {
  it("limits whatever it is mounted on, a GET too (the privacy export)", async () => {
    const app = tinyApp();
    app.get("/v1/me/export", limitPrivacy, (c) => c.json({ export: true }));
    app.get("/v1/headshots", (c) => c.json({ items: [] }));
    const get = (path: string) => app.request(path, { headers: { "X-User": "u1" } });
    for (let i = 0; i < 10; i += 1) expect((await get("/v1/me/export")).status).toBe(200);
    expect((await get("/v1/me/export")).status).toBe(429);
    expect((await get("/v1/headshots")).status).toBe(200);
  });
});

describe("limitSupportLogin", () => {
  function loginApp() {
    const app = tinyApp();
    app.post("/support/login", async (c) => {
      const decision = await limitSupportLogin(c);
      if (decision && !decision.allowed) throw rateLimitedError(decision);
      return c.text("checked");
    });
    return app;
  }
  const login = (app: Hono<HonoEnv>, ip: string, account: string) =>
    app.request(
      "/support/login",
      { method: "POST", headers: { "X-Account": account } },
      { incoming: { socket: { remoteAddress: ip } } },
    );

  it("allows 5 attempts a minute per IP", async () => {
    const app = loginApp();
    for (let i = 0; i < 5; i += 1)
      expect((await login(app, "192.0.2.1", `a${i}@example.com`)).status).toBe(200);
    const refused = await login(app, "192.0.2.1", "another@example.com");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("12");
    expect((await login(app, "192.0.2.2", "another@example.com")).status).toBe(200);
  });
});
