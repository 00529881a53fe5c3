// Development auth mints a token for anyone who reaches /dev/token, so its server listens on
// loopback only (SPEC §5.3): reachable as 127.0.0.1, refused on the machine's other addresses.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runServer, stopServer, waitUntilReady, type ServerProcess } from "./server-process";

const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "hs-binding-"));
  server = runServer({ DATA_DIR: dataDir, GENERATION_CONCURRENCY: "1" });
  await waitUntilReady(server);
});
afterAll(async () => {
  if (server) await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
});

it("/dev/token answers on loopback", async () => {
  const res = await fetch(`${server.base}/dev/token`, { method: "POST" });
  expect(res.status).toBe(200);
});

it.skipIf(!external)("nothing answers on the machine's network address", async () => {
  const port = new URL(server.base).port;
  const reached = await fetch(`http://${external}:${port}/dev/token`, { method: "POST" }).then(
    (res) => `answered ${res.status}`,
    (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
  );
  expect(reached).toBe("ECONNREFUSED");
});
