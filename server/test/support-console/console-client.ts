// A cookie-carrying client for the support console over `app.request`: signs in through the real
// login form and sends forms with the CSRF token the pages render.
import { expect } from "vitest";
import { createSupportUser } from "../../src/support/accounts";
import type { SupportRole } from "../../src/support/sessions";
import type { Harness } from "../support/harness";

export const PASSWORD = "correct horse battery staple";
let n = 0;

export async function staffAccount(h: Harness, role: SupportRole = "admin") {
  const email = `staff-${process.pid}-${++n}@example.com`;
  await createSupportUser(h.services.db, { email, password: PASSWORD, role }, { type: "cli" }, h.clock.now());
  return email;
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(
    res.headers.getSetCookie().map((c) => {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      return [pair!.slice(0, i), pair!.slice(i + 1)];
    }),
  );
}

export const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

export function form(fields: Record<string, string>) {
  return new URLSearchParams(fields).toString();
}

/** Sends a request to the console: `app.request` in process, or `fetch` to a running server. */
export type ConsoleRequest = (path: string, init?: RequestInit) => Promise<Response>;

/** The login form's GET and POST, the way a browser fills it in. */
export async function submitLogin(request: ConsoleRequest, email: string, password: string) {
  const page = await request("/support/login");
  const token = csrfIn(await page.text())!;
  const loginCookie = Object.entries(cookiesOf(page))
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  return request("/support/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: loginCookie },
    body: form({ email, password, _csrf: token }),
  });
}

/** The login form over `app.request`; from `ip` when given (the socket @hono/node-server would pass). */
export async function loginAttempt(h: Harness, email: string, password: string, ip?: string) {
  const from = ip ? { incoming: { socket: { remoteAddress: ip } } } : undefined;
  return submitLogin((path, init) => Promise.resolve(h.app.request(path, init, from)), email, password);
}

export interface ConsoleClient {
  cookie: string;
  get(path: string): Promise<Response>;
  /** Posts a form with the session's CSRF token (unless `_csrf` is given). */
  post(path: string, fields?: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

export async function signIn(h: Harness, email: string, password = PASSWORD): Promise<ConsoleClient> {
  const res = await loginAttempt(h, email, password);
  expect(res.status).toBe(303);
  const session = cookiesOf(res)["hs_support_session"];
  expect(session).toBeTruthy();
  const cookie = `hs_support_session=${session}`;
  const get = async (path: string) => h.app.request(path, { headers: { Cookie: cookie } });
  const token = csrfIn(await (await get("/support")).text())!;
  return {
    cookie,
    get,
    post: async (path, fields = {}, headers = {}) =>
      h.app.request(path, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, ...headers },
        body: form({ _csrf: token, ...fields }),
      }),
  };
}
