// GET /billing/success and /billing/cancel: where Stripe Checkout sends the buyer back. Small
// branded pages saying to return to Canva; they grant nothing (credits come only by webhook).
import { createHash } from "node:crypto";
import { html, raw } from "hono/html";
import { CANCEL_PATH, SUCCESS_PATH } from "../billing";
import type { App } from "../http/openapi";

const CSS = `
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f1ee;color:#1f1b24}
main{max-width:28rem;margin:1rem;padding:2rem;background:#fff;border-radius:16px;
box-shadow:0 8px 24px rgba(31,27,36,.08);text-align:center}
.brand{font-weight:700;letter-spacing:.02em;color:#6b3fd4;margin:0 0 1.25rem}
h1{font-size:1.4rem;margin:0 0 .75rem}p{line-height:1.5;margin:.5rem 0}.hint{color:#5c5766;font-size:.9rem}
`;

// One raw element, so formatting the template can never change the bytes the hash covers.
const STYLE = raw(`<style>${CSS}</style>`);

// The page's own CSP: nothing but this one stylesheet (by hash), no script at all.
const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

function page(title: string, lines: string[], hint: string) {
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

const SUCCESS = page(
  "Thank you! Your payment went through",
  [
    "Return to Canva and open Headshot Studio: your credits appear there as soon as Stripe confirms the payment, usually within a few seconds.",
  ],
  "You can close this tab.",
);

const CANCEL = page(
  "Checkout canceled",
  ["Nothing was charged. Return to Canva to keep using Headshot Studio; you can buy credits any time."],
  "You can close this tab.",
);

export function registerBillingPages(app: App) {
  for (const [path, body] of [
    [SUCCESS_PATH, SUCCESS],
    [CANCEL_PATH, CANCEL],
  ] as const) {
    app.get(path, async (c) => {
      c.header("Content-Security-Policy", PAGE_CSP);
      c.header("Cache-Control", "no-store");
      return c.html(await body);
    });
  }
}
