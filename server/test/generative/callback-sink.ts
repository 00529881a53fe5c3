// A loopback receiver for the fake GPU's callbacks: it keeps each one's headers and raw body, as
// POST /webhooks/engine would see them, so a test can hand them to verifyCallback.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedCallback {
  headers: Headers;
  rawBody: string;
}

export interface CallbackSink {
  url: string;
  received: ReceivedCallback[];
  /** The next `count` callbacks are answered 500 (and not kept), as by a receiver in trouble. */
  failNext(count: number): void;
  /** Resolves once `count` callbacks have arrived in all. */
  waitFor(count: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

export async function startCallbackSink(): Promise<CallbackSink> {
  const received: ReceivedCallback[] = [];
  const waiters: { count: number; resolve: (all: ReceivedCallback[]) => void }[] = [];
  let failing = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (failing > 0) {
        failing -= 1;
        res.writeHead(500).end();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      received.push({ headers, rawBody: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end();
      for (const waiter of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(received);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/engine`,
    received,
    failNext: (count) => {
      failing = count;
    },
    waitFor: (count) =>
      received.length >= count
        ? Promise.resolve(received)
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
