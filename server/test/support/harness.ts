// The route-test harness (STYLE.md, Unkey): a real app on a fresh real database, development
// auth for tokens, a manual clock and captured logs; typed helpers to act as users.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { createApp } from "../../src/app";
import { manualClock } from "../../src/clock";
import { loadConfig } from "../../src/config/config";
import type { DatabaseHandle } from "../../src/db/client";
import { createLogger } from "../../src/logger";
import type { Engine } from "../../src/engine/types";
import { createServices, type ServiceOverrides, type Services } from "../../src/services";
import { createFsStorage } from "../../src/storage/fs-storage";
import type { Storage } from "../../src/storage/storage";
import { createTestDatabase } from "./database";
import { lazyStudioEngine } from "./engines";

export interface TestUser {
  userId: string;
  brandId: string;
  token: string;
  headers: Record<string, string>;
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  services: Services;
  database: DatabaseHandle;
  clock: ReturnType<typeof manualClock>;
  /** Every log line written so far, as raw JSON text. */
  logs(): string;
  user(opts?: { userId?: string; brandId?: string; billableActions?: string[] }): Promise<TestUser>;
  /** app.request with a JSON body. */
  json(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Where the default storage keeps output files. */
  filesDir: string;
  close(): Promise<void>;
}

let counter = 0;

export interface HarnessOptions {
  /** Defaults to the real studio engine, created on first use. */
  engine?: Engine;
  /** Output storage; defaults to a fresh temp directory. */
  storage?: Storage;
  /** Another harness's database: a second instance on the same data (closed by its owner). */
  database?: DatabaseHandle;
  /** More service overrides (e.g. the generative engine's send interval). */
  services?: Pick<ServiceOverrides, "provider" | "sendEveryMs" | "fetch">;
}

export async function createHarness(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const database = options.database ?? (await createTestDatabase());
  const clock = manualClock(new Date());
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    DATA_DIR: "/nonexistent-test-data",
    ...env,
  });
  const filesDir = mkdtempSync(path.join(os.tmpdir(), "hs-files-"));
  const services = await createServices(config, {
    database,
    clock,
    logger: createLogger("info", sink),
    engine: options.engine ?? lazyStudioEngine(),
    storage: options.storage ?? createFsStorage(filesDir),
    ...options.services,
  });
  const app = createApp(services);

  return {
    app,
    services,
    database,
    clock,
    logs: () => chunks.join(""),
    async user(opts = {}) {
      counter += 1;
      const userId = opts.userId ?? `user-${process.pid}-${counter}`;
      const brandId = opts.brandId ?? `brand-${process.pid}-${counter}`;
      if (!services.devIssuer) throw new Error("the harness issues tokens through development auth");
      const token = await services.devIssuer.issueToken({
        userId,
        brandId,
        ...(opts.billableActions ? { billableActions: opts.billableActions } : {}),
      });
      return { userId, brandId, token, headers: { Authorization: `Bearer ${token}` } };
    },
    async json(method, path, body, headers = {}) {
      return app.request(path, {
        method,
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    },
    filesDir,
    async close() {
      await services.runner.drain(2_000);
      await services.generative?.close();
      if (!options.database) await database.close();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
