// The route-test harness (STYLE.md, Unkey): a real app on a fresh real database, development
// auth for tokens, a manual clock and captured logs; typed helpers to act as users.
import { Writable } from "node:stream";
import { createApp } from "../../src/app";
import { manualClock } from "../../src/clock";
import { loadConfig } from "../../src/config/config";
import type { DatabaseHandle } from "../../src/db/client";
import { createLogger } from "../../src/logger";
import { createServices, type Services } from "../../src/services";
import { createTestDatabase } from "./database";

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
  close(): Promise<void>;
}

let counter = 0;

export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
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
  const services = await createServices(config, {
    database,
    clock,
    logger: createLogger("info", sink),
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
    close: () => database.close(),
  };
}
