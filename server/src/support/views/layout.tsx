// The console's page frame and small shared pieces (hono/jsx, server-rendered, no script): every
// page renders through `renderPage`, which carries the CSP nonce to the one stylesheet.
import { raw } from "hono/html";
import type { Child, PropsWithChildren } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SupportContext } from "../console-env";

const STYLES = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1f2937;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff}header .who{margin-left:auto;opacity:.8}header form{margin:0}
main{max-width:1100px;margin:1.2rem auto;padding:0 1.2rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef0f3;font-weight:600}tr.overdue td{background:#fdecec}.tag{padding:.1rem .4rem;border-radius:.3rem;background:#e5e7eb;font-size:.85em}
.tag.overdue{background:#b91c1c;color:#fff}.tag.due-soon{background:#f59e0b}
section{background:#fff;border:1px solid #e3e6ea;border-radius:.4rem;padding:1rem;margin:1rem 0}
form.inline{display:inline}label{display:block;margin:.4rem 0 .1rem;font-weight:600}
input,select,textarea{font:inherit;padding:.3rem;min-width:16rem}textarea{width:100%;min-height:3rem}
button{font:inherit;padding:.35rem .9rem;margin-top:.5rem;cursor:pointer}button.danger{background:#b91c1c;color:#fff;border:0}
.notice{background:#ecfdf5;border:1px solid #10b981;padding:.6rem;border-radius:.3rem}
.error{background:#fef2f2;border:1px solid #ef4444;padding:.6rem;border-radius:.3rem}
dl{display:grid;grid-template-columns:12rem 1fr;gap:.2rem .8rem}dt{font-weight:600}dd{margin:0}
`;

export interface PageOptions {
  title: string;
  status?: ContentfulStatusCode;
  /** Omitted on the login and error pages shown without a session. */
  signedIn?: boolean;
}

export function renderPage(c: SupportContext, options: PageOptions, content: Child) {
  const session = options.signedIn === false ? undefined : c.get("session");
  return c.html(
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${options.title} · Headshot Studio support`}</title>
          <style nonce={c.get("cspNonce")}>{STYLES}</style>
        </head>
        <body>
          <header>
            <strong>Headshot Studio support</strong>
            {session && (
              <>
                <a href="/support">Requests</a>
                <a href="/support/new-request">New request</a>
                <a href="/support/users">User lookup</a>
                <span class="who">
                  {session.staff.email} ({session.staff.role})
                </span>
                <form method="post" action="/support/logout">
                  <CsrfField token={session.csrfToken} />
                  <button type="submit">Sign out</button>
                </form>
              </>
            )}
          </header>
          <main>
            <h1>{options.title}</h1>
            {content}
          </main>
        </body>
      </html>
    </>,
    options.status ?? 200,
  );
}

export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** A POST form carrying the session's CSRF token. */
export function ActionForm(
  props: PropsWithChildren<{ c: SupportContext; action: string; inline?: boolean }>,
) {
  return (
    <form method="post" action={props.action} class={props.inline ? "inline" : undefined}>
      <CsrfField token={props.c.get("session").csrfToken} />
      {props.children}
    </form>
  );
}

export const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : "—");
export const time = (d: Date | null | undefined) =>
  d ? d.toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—";
