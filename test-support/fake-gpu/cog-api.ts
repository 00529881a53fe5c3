// The fake of a Cog container (replicate/cog, PLATFORM.md "Generative inference"): no auth, an
// idempotent PUT per prediction id, one prediction at a time (409 past its capacity), 503 until
// setup has finished, a health check that says why, no polling, callbacks carrying the
// WEBHOOK_AUTH_TOKEN as a bearer token, and outputs as data URLs inside them.
import {
  eventsOf,
  inputOf,
  iso,
  json,
  outputOf,
  type DeploymentContext,
  type FakeDeployment,
  type IncomingCall,
  type Reply,
} from "./deployment";
import { isTerminal, PredictionRunner, type PredictionCodec } from "./predictions";
import type { CogHealth } from "./types";

const PREDICTION_ROUTE = /^\/predictions\/([^/]+)(\/cancel)?$/;

export function createCogFake(ctx: DeploymentContext): FakeDeployment {
  const { behaviour } = ctx;
  const setupStarted = new Date();
  const readyAt = setupStarted.getTime() + ctx.setupMs;

  const codec: PredictionCodec = {
    body: (p) => ({
      id: p.id,
      input: p.input,
      output: outputOf(p.output),
      error: p.error,
      logs: "",
      status: p.status,
      created_at: iso(p.createdAt),
      started_at: iso(p.startedAt),
      completed_at: iso(p.completedAt),
      metrics:
        p.startedAt && p.completedAt
          ? { predict_time: (p.completedAt.getTime() - p.startedAt.getTime()) / 1000 }
          : {},
      webhook: p.webhook,
      webhook_events_filter: p.events,
    }),
    publish: (_p, jpeg) => [`data:image/jpeg;base64,${jpeg.toString("base64")}`],
    authenticate: () => ({ Authorization: `Bearer ${ctx.webhookSecret}` }),
  };
  const runner = new PredictionRunner(behaviour, codec, ctx.callbacks);

  function health(): CogHealth {
    if (behaviour.health) return behaviour.health;
    if (Date.now() < readyAt) return "STARTING";
    return runner.running().length >= behaviour.capacity ? "BUSY" : "READY";
  }

  async function create(call: IncomingCall, pathId: string | undefined): Promise<Reply> {
    const status = health();
    if (status !== "READY" && status !== "BUSY")
      return json(503, { detail: `Model is not ready (${status})` });
    const bodyId = (call.body as { id?: unknown } | undefined)?.id;
    const id = pathId ?? (typeof bodyId === "string" ? bodyId : crypto.randomUUID());
    const existing = runner.all.get(id);
    // The same id again while it runs (a create retried after a lost answer): its state, no new run.
    if (existing && !isTerminal(existing)) return json(202, codec.body(existing));
    if (runner.running().length >= behaviour.capacity) return json(409, { detail: "At capacity" });
    const input = inputOf(call.body);
    const events = input ? eventsOf(call.body) : undefined;
    if (!input || !events) {
      return json(422, {
        detail: [{ loc: ["body", input ? "webhook_events_filter" : "input"], msg: "invalid" }],
      });
    }
    const webhook = (call.body as { webhook?: unknown }).webhook;
    const prediction = runner.start({
      id,
      input,
      webhook: typeof webhook === "string" ? webhook : undefined,
      events,
    });
    if (call.headers.prefer === "respond-async") return json(202, codec.body(prediction));
    // Without respond-async Cog holds the request until the prediction finishes.
    await prediction.done;
    return json(200, codec.body(prediction));
  }

  function handle(call: IncomingCall): Reply | Promise<Reply> {
    if (behaviour.unavailable) return json(503, { detail: "The fake is down on purpose." });
    if (call.path === "/health-check" && call.method === "GET") {
      const setupDone = Date.now() >= readyAt;
      return json(200, {
        status: health(),
        setup: {
          started_at: iso(setupStarted),
          completed_at: setupDone ? iso(new Date(readyAt)) : null,
          status: behaviour.health === "SETUP_FAILED" ? "failed" : setupDone ? "succeeded" : null,
        },
      });
    }
    if (call.path === "/predictions" && call.method === "POST") return create(call, undefined);
    const route = PREDICTION_ROUTE.exec(call.path);
    if (route && !route[2] && call.method === "PUT") return create(call, decodeURIComponent(route[1]!));
    if (route?.[2] && call.method === "POST") {
      const id = decodeURIComponent(route[1]!);
      ctx.canceled.push(id);
      const prediction = runner.all.get(id);
      // Cog forgets a prediction once it has finished.
      if (!prediction || !runner.cancel(prediction)) return json(404, { detail: "Prediction not found" });
      return json(200, {});
    }
    return json(404, { detail: "Not Found" });
  }

  return {
    runner,
    handle,
    // Cog's outputs travel inside the callback; there is nothing to delete.
    deleteOutputs: () => {},
  };
}
