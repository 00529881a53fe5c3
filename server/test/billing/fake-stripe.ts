// A loopback fake of the Stripe calls we make (POST /v1/checkout/sessions, POST /v1/refunds),
// because no stripe-mock runs here: it records each request and answers like Stripe does.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The form-encoded body, decoded into Stripe's nested bracket notation. */
  form: Record<string, unknown>;
}

export interface FakeStripe {
  /** http://127.0.0.1:<port>, for STRIPE_API_BASE. */
  url: string;
  requests: RecordedRequest[];
  /** The next request is answered with this status and a Stripe error body (with `code`). */
  failNext(status: number, code?: string): void;
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  let failure: { status: number; code: string | undefined } | undefined;
  let sessions = 0;
  let refunds = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = parseStripeForm(Buffer.concat(chunks).toString("utf8"));
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, form });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, {
          "Content-Type": "application/json",
          "Request-Id": `req_fake_${requests.length}`,
        });
        res.end(JSON.stringify(body));
      };
      if (failure) {
        const { status, code } = failure;
        failure = undefined;
        const type = status < 500 ? "invalid_request_error" : "api_error";
        return send(status, { error: { type, code, message: "The fake is failing on purpose." } });
      }
      if (req.method === "POST" && req.url === "/v1/refunds") {
        refunds += 1;
        return send(200, {
          id: `re_fake${refunds}`,
          object: "refund",
          payment_intent: form.payment_intent,
          reason: form.reason ?? null,
          metadata: form.metadata ?? {},
          status: "succeeded",
        });
      }
      if (req.method !== "POST" || req.url !== "/v1/checkout/sessions") {
        return send(404, {
          error: { type: "invalid_request_error", message: `Unrecognized request URL (${req.url}).` },
        });
      }
      sessions += 1;
      const id = `cs_test_fake${sessions}`;
      const line = (form.line_items as Record<string, Record<string, unknown>>)["0"]!;
      const price = line.price_data as Record<string, unknown>;
      send(200, {
        id,
        object: "checkout.session",
        mode: form.mode,
        status: "open",
        payment_status: "unpaid",
        payment_intent: null,
        amount_total: Number(price.unit_amount) * Number(line.quantity),
        currency: price.currency,
        client_reference_id: form.client_reference_id ?? null,
        metadata: form.metadata ?? {},
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        url: `https://checkout.stripe.com/c/pay/${id}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, code) => {
      failure = { status, code };
    },
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** `a[b][0][c]=1` → `{a: {b: {"0": {c: "1"}}}}`, the way Stripe reads its form bodies. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, "").split("[");
    let node = root;
    for (const part of path.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return root;
}
