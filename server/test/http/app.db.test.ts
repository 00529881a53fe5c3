// The app's cross-cutting behaviour: one error body everywhere, request ids, security headers on
// every route family, CORS exactly as SPEC §5.2, body limits, health, OpenAPI, and logs that
// never hold a token or a request body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "@headshot/shared";
import type { EngineReadiness } from "../../src/engine/types";
import { scriptedEngine } from "../support/engines";
import { createHarness, type Harness } from "../support/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ CORS_EXTRA_ORIGINS: "https://extra.example.com" });
});
afterAll(() => h?.close());

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = ErrorBody.parse(await res.json());
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
  expect(body.error.message.length).toBeGreaterThan(5);
  return body;
}

describe("errors", () => {
  it("answers an unknown path with the SPEC error body and 404", async () => {
    await expectError(await h.app.request("/no/such/thing"), 404, "NOT_FOUND");
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const me = await h.user();
    const res = await h.app.request("/v1/consent", { method: "GET", headers: me.headers });
    await expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.get("Allow")).toContain("POST");
  });

  it("lists every method a path with a parameter answers, a GET's HEAD included", async () => {
    const me = await h.user();
    const res = await h.app.request(`/v1/headshots/${crypto.randomUUID()}`, {
      method: "PUT",
      headers: me.headers,
    });
    const body = await expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.get("Allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD"]);
    expect(body.error.message).toBe("PUT is not allowed here; use GET, HEAD, DELETE.");
  });

  it("keeps a route's own 404 for a method the path allows", async () => {
    const me = await h.user();
    const res = await h.app.request(`/v1/headshots/${crypto.randomUUID()}`, { headers: me.headers });
    await expectError(res, 404, "NOT_FOUND");
    expect(res.headers.get("Allow")).toBeNull();
  });

  it("authenticates before it tells a caller which methods a path allows", async () => {
    await expectError(await h.app.request("/v1/consent", { method: "GET" }), 401, "UNAUTHORIZED");
  });

  it("turns validation errors into 400 BAD_REQUEST naming the field", async () => {
    const me = await h.user();
    const res = await h.json("POST", "/v1/consent", { photoProcessing: true }, me.headers);
    const body = await expectError(res, 400, "BAD_REQUEST");
    expect(body.error.message).toMatch(/ageConfirmed18|policyVersion/);
  });

  it("turns malformed JSON into 400, not 500", async () => {
    const me = await h.user();
    const res = await h.app.request("/v1/consent", {
      method: "POST",
      headers: { ...me.headers, "Content-Type": "application/json" },
      body: "{not json",
    });
    await expectError(res, 400, "BAD_REQUEST");
  });

  it("refuses an oversized JSON body with 413 before parsing it", async () => {
    const me = await h.user();
    const res = await h.app.request("/v1/consent", {
      method: "POST",
      headers: { ...me.headers, "Content-Type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(200_000) }),
    });
    await expectError(res, 413, "PAYLOAD_TOO_LARGE");
  });
});

describe("request ids", () => {
  it("gives every response an X-Request-Id", async () => {
    const res = await h.app.request("/healthz");
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a well-formed incoming id and replaces a hostile one", async () => {
    const kept = await h.app.request("/healthz", { headers: { "X-Request-Id": "lb-req-12345678" } });
    expect(kept.headers.get("X-Request-Id")).toBe("lb-req-12345678");
    const replaced = await h.app.request("/healthz", { headers: { "X-Request-Id": 'evil" injected=1' } });
    expect(replaced.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("security headers", () => {
  const families = ["/healthz", "/v1/me", "/openapi.json", "/files/abc", "/nothing"];

  it.each(families)(
    "sets CSP, X-Frame-Options, nosniff, Referrer-Policy, Permissions-Policy on %s",
    async (path) => {
      const res = await h.app.request(path);
      expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(res.headers.get("Permissions-Policy")).toContain("camera=()");
    },
  );

  it("adds the document-only headers to pages, not to JSON answers", async () => {
    const page = await h.app.request("/support/login");
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(page.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin");
    expect(page.headers.get("X-Permitted-Cross-Domain-Policies")).toBe("none");
    expect(page.headers.get("X-Frame-Options")).toBe("DENY");
    const json = await h.app.request("/healthz");
    expect(json.headers.get("Cross-Origin-Opener-Policy")).toBeNull();
    expect(json.headers.get("X-Permitted-Cross-Domain-Policies")).toBeNull();
  });

  it.each(families)("sends HSTS on %s only when the request came over HTTPS", async (path) => {
    const plain = await h.app.request(`http://api.local${path}`);
    expect(plain.headers.get("Strict-Transport-Security")).toBeNull();
    const direct = await h.app.request(`https://api.local${path}`);
    expect(direct.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{7,}/);
    const proxied = await h.app.request(path, { headers: { "X-Forwarded-Proto": "https" } });
    expect(proxied.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{7,}/);
  });
});

describe("CORS", () => {
  // The development app id, lower-cased into Canva's app origin.
  const canva = "https://app-dev-headshot-studio.canva-apps.com";

  async function preflight(origin: string, path = "/v1/me") {
    return h.app.request(path, {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
  }

  it("allows the Canva app origin, with Authorization and a cached preflight", async () => {
    const res = await preflight(canva);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(canva);
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(Number(res.headers.get("Access-Control-Max-Age"))).toBeGreaterThan(600);
  });

  it("allows configured extra origins and the local preview under development auth", async () => {
    expect((await preflight("https://extra.example.com")).headers.get("Access-Control-Allow-Origin")).toBe(
      "https://extra.example.com",
    );
    expect((await preflight("http://localhost:8080")).headers.get("Access-Control-Allow-Origin")).toBe(
      "http://localhost:8080",
    );
  });

  it("does not allow any other origin, including look-alikes", async () => {
    for (const origin of [
      "https://evil.example.com",
      "https://app-dev-headshot-studio.canva-apps.com.evil.com",
      "http://app-dev-headshot-studio.canva-apps.com",
      "null",
    ]) {
      expect((await preflight(origin)).headers.get("Access-Control-Allow-Origin")).toBeNull();
    }
  });

  it("serves /files to any origin", async () => {
    const res = await h.app.request("/files/whatever", { headers: { Origin: "https://www.canva.com" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });

  it("leaves the preview origin out when development auth is off", async () => {
    const prod = await createHarness({
      CANVA_APP_ID: "AAFxyz",
      CANVA_JWKS_URL: "http://127.0.0.1:9/jwks",
      FILE_URL_SECRET: "z".repeat(32),
    });
    try {
      const res = await prod.app.request("/v1/me", {
        method: "OPTIONS",
        headers: { Origin: "http://localhost:8080", "Access-Control-Request-Method": "GET" },
      });
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      const canvaRes = await prod.app.request("/v1/me", {
        method: "OPTIONS",
        headers: { Origin: "https://app-aafxyz.canva-apps.com", "Access-Control-Request-Method": "GET" },
      });
      expect(canvaRes.headers.get("Access-Control-Allow-Origin")).toBe("https://app-aafxyz.canva-apps.com");
    } finally {
      await prod.close();
    }
  });
});

describe("operations routes", () => {
  it("is alive and ready with migrations applied", async () => {
    expect(await (await h.app.request("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await h.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      database: true,
      migrations: true,
      engine: "ready",
    });
  });

  it("is ready while the engine warms, and not ready once it failed to", async () => {
    let state: EngineReadiness = "warming";
    const warming = await createHarness(
      {},
      { engine: { ...scriptedEngine().engine, readiness: () => state } },
    );
    try {
      const res = await warming.app.request("/readyz");
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ready", engine: "warming" });
      state = "failed";
      const failed = await warming.app.request("/readyz");
      expect(failed.status).toBe(503);
      expect(await failed.json()).toEqual({
        status: "not_ready",
        database: true,
        migrations: true,
        engine: "failed",
      });
    } finally {
      await warming.close();
    }
  });

  it("is not ready when the database is gone", async () => {
    const other = await createHarness();
    await other.database.close();
    const res = await other.app.request("/readyz");
    expect(res.status).toBe(503);
  });

  it("publishes an OpenAPI document generated from the route schemas", async () => {
    const doc = (await (await h.app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/me", "/v1/consent", "/healthz"]));
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Me", "ConsentRequest", "Error"]),
    );
  });
});

describe("logs", () => {
  it("hold neither the Authorization header, the token nor the request body", async () => {
    const me = await h.user();
    await h.json(
      "POST",
      "/v1/consent",
      { photoProcessing: true, ageConfirmed18: true, policyVersion: "1", secretMarker: "BODY-MARKER-42" },
      me.headers,
    );
    await h.app.request("/v1/me", { headers: me.headers });
    const logs = h.logs();
    expect(logs).toContain('"route":"/v1/me"');
    expect(logs).not.toContain(me.token);
    expect(logs).not.toContain(me.token.split(".")[2]!);
    expect(logs.toLowerCase()).not.toContain("bearer");
    expect(logs).not.toContain("BODY-MARKER-42");
  });
});
