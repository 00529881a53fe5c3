// A stand-in for our backend that answers what a test scripts: the AI studio states (engines on
// offer, outputs arriving style by style, missing styles) whatever the real server offers today.
// Responses follow the shared contract's shapes; thumbnails are one fixture photo.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Job, MeResponse } from "@headshot/shared";

export interface Script {
  /** What GET /v1/me answers. */
  me: MeResponse;
  /** What POST /v1/headshots answers next (202). */
  created: Job;
  /** What each GET /v1/headshots/:id answers, in turn; the last one sticks. */
  polls: Job[];
}

export interface ScriptedBackend extends Script {
  url: string;
  /** The multipart fields of every POST /v1/headshots, the photo as its size in bytes. */
  posts: Record<string, string | number>[];
  close(): Promise<void>;
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE",
};

/** Serves `script` on `port`; a test changes its fields as the journey goes on. */
export async function startScriptedBackend(
  port: number,
  thumbnailFile: string,
  script: Script,
): Promise<ScriptedBackend> {
  const thumbnail = readFileSync(thumbnailFile);
  const send = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { ...CORS, "Content-Type": "application/json" }).end(JSON.stringify(body));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? "/", backend.url);
    if (req.method === "OPTIONS") return void res.writeHead(204, CORS).end();
    if (pathname === "/dev/token") return send(res, 200, { token: "scripted" });
    if (pathname === "/v1/me") return send(res, 200, backend.me);
    // The test sets `me` to its consented self before the user clicks Continue.
    if (pathname === "/v1/consent") return send(res, 200, backend.me.consent);
    if (pathname.startsWith("/files/")) {
      return void res.writeHead(200, { ...CORS, "Content-Type": "image/jpeg" }).end(thumbnail);
    }
    if (pathname === "/v1/headshots" && req.method === "POST") {
      backend.posts.push(await formFields(req));
      return send(res, 202, { job: backend.created });
    }
    if (pathname.startsWith("/v1/headshots/")) {
      const job = backend.polls.length > 1 ? backend.polls.shift() : backend.polls[0];
      return send(res, 200, { job });
    }
    send(res, 404, { error: { code: "NOT_FOUND", message: "Not scripted", requestId: "scripted" } });
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, resolve));
  const backend: ScriptedBackend = {
    url: `http://localhost:${port}`,
    ...script,
    posts: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // the browser's keep-alive connections
        server.close(() => resolve());
      }),
  };
  return backend;
}

async function formFields(req: IncomingMessage): Promise<Record<string, string | number>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const form = await new Request("http://x", {
    method: "POST",
    headers: { "Content-Type": req.headers["content-type"] ?? "" },
    body: Buffer.concat(chunks),
  }).formData();
  return Object.fromEntries(
    [...form.entries()].map(([key, value]) => [key, typeof value === "string" ? value : value.size]),
  );
}
