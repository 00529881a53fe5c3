// Served by @hono/node-server, middleware reads request headers from Node's own parsed headers
// (src/http/request-header.ts), not from a web Headers copy. These requests go over a real socket,
// so they take that path: a header reads as Headers would give it, repeats included.
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, type TestUser } from "../support/harness";

let h: Harness;
let server: ServerType;
let port: number;
let user: TestUser;

beforeAll(async () => {
  h = await createHarness();
  user = await h.user();
  server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

/** GET over a socket with these header lines, repeats as separate lines. */
function get(path: string, headers: [string, string][]): Promise<{ status: number; requestId: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode!, requestId: String(res.headers["x-request-id"]) }),
      );
    });
    const byName = new Map<string, string[]>();
    for (const [name, value] of headers) byName.set(name, [...(byName.get(name) ?? []), value]);
    for (const [name, values] of byName) req.setHeader(name, values.length === 1 ? values[0]! : values);
    req.on("error", reject);
    req.end();
  });
}

describe("request headers over a socket", () => {
  it("authenticate with the Authorization header and keep a plain request id", async () => {
    const res = await get("/v1/me", [
      ["Authorization", `Bearer ${user.token}`],
      ["X-Request-Id", "node-path-0001"],
    ]);
    expect(res).toEqual({ status: 200, requestId: "node-path-0001" });
  });

  it("refuse two Authorization headers, as the web Headers path does (their values joined)", async () => {
    const twice = await get("/v1/me", [
      ["Authorization", `Bearer ${user.token}`],
      ["Authorization", `Bearer ${user.token}`],
    ]);
    expect(twice.status).toBe(401);
    const viaHeaders = await h.app.request("/v1/me", {
      headers: [
        ["Authorization", `Bearer ${user.token}`],
        ["Authorization", `Bearer ${user.token}`],
      ],
    });
    expect(viaHeaders.status).toBe(401);
  });
});
