// Small branded, server-rendered pages (billing return pages, the bad-result report page): one
// layout, one stylesheet allowed by hash, no script — their CSP replaces the API's.
import { createHash } from "node:crypto";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Context } from "hono";

const CSS = `
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f1ee;color:#1f1b24}
main{max-width:28rem;margin:1rem;padding:2rem;background:#fff;border-radius:16px;
box-shadow:0 8px 24px rgba(31,27,36,.08);text-align:center}
.brand{font-weight:700;letter-spacing:.02em;color:#6b3fd4;margin:0 0 1.25rem}
h1{font-size:1.4rem;margin:0 0 .75rem}p{line-height:1.5;margin:.5rem 0}.hint{color:#5c5766;font-size:.9rem}
a{color:#6b3fd4}
`;

// One raw element, so formatting the template can never change the bytes the hash covers.
const STYLE = raw(`<style>${CSS}</style>`);

export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

type Line = string | HtmlEscapedString | Promise<HtmlEscapedString>;

export function brandedPage(title: string, lines: Line[], hint: string) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title} · Headshot Studio</title>
        ${STYLE}
      </head>
      <body>
        <main>
          <p class="brand">Headshot Studio</p>
          <h1>${title}</h1>
          ${lines.map((line) => html`<p>${line}</p>`)}
          <p class="hint">${hint}</p>
        </main>
      </body>
    </html>`;
}

export async function sendPage(c: Context, page: ReturnType<typeof brandedPage>): Promise<Response> {
  c.header("Content-Security-Policy", PAGE_CSP);
  c.header("Cache-Control", "no-store");
  return c.html(await page);
}
