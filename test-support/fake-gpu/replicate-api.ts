// The fake of Replicate's hosted API (PLATFORM.md "Generative inference"): bearer-authenticated
// create/get/cancel, `Cancel-After` deadlines, 429s that say when they reset, callbacks signed
// with Standard Webhooks, and outputs served under /files/… (standing in for replicate.delivery)
// that vanish with the prediction's data after "the hour".
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
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
import { isTerminal, PredictionRunner, type FakePrediction, type PredictionCodec } from "./predictions";

const MODEL_ROUTE = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)\/predictions$/;
const PREDICTION_ROUTE = /^\/v1\/predictions\/([a-z0-9]+)(\/cancel)?$/;
const FILE_ROUTE = /^\/files\/([a-z0-9]+)\/([\w.-]+)$/;
const CANCEL_AFTER_RANGE_MS = [5_000, 24 * 60 * 60 * 1000] as const;

export function createReplicateFake(ctx: DeploymentContext): FakeDeployment {
  const { behaviour } = ctx;
  const signer = new Webhook(ctx.webhookSecret);
  const files = new Map<string, Buffer>();
  const api = `${ctx.url}/v1`;

  /** Deletes a finished prediction's data once its hour has passed (or at once when `now`). */
  function expire(prediction: FakePrediction, now = false): void {
    if (!prediction.completedAt || prediction.dataRemoved) return;
    if (!now && Date.now() - prediction.completedAt.getTime() < behaviour.outputTtlMs) return;
    prediction.dataRemoved = true;
    for (const key of files.keys()) if (key.startsWith(`${prediction.id}/`)) files.delete(key);
  }

  const codec: PredictionCodec = {
    body(p) {
      expire(p);
      const predictTime =
        p.startedAt && p.completedAt ? (p.completedAt.getTime() - p.startedAt.getTime()) / 1000 : undefined;
      return {
        id: p.id,
        model: p.extra.model,
        version: p.extra.version,
        input: p.dataRemoved ? {} : p.input,
        logs: p.dataRemoved ? "" : "fake: running the model\n",
        output: p.dataRemoved ? null : outputOf(p.output),
        data_removed: p.dataRemoved,
        error: p.error,
        status: p.status,
        created_at: iso(p.createdAt),
        started_at: iso(p.startedAt),
        completed_at: iso(p.completedAt),
        urls: {
          get: `${api}/predictions/${p.id}`,
          cancel: `${api}/predictions/${p.id}/cancel`,
          web: `https://replicate.com/p/${p.id}`,
        },
        metrics: predictTime === undefined || !isTerminal(p) ? {} : { predict_time: predictTime },
      };
    },
    publish(p, jpeg) {
      files.set(`${p.id}/out-0.jpg`, jpeg);
      return [`${ctx.url}/files/${p.id}/out-0.jpg`];
    },
    authenticate(deliveryId, body) {
      const now = new Date();
      return {
        "webhook-id": deliveryId,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signer.sign(deliveryId, now, body),
      };
    },
  };
  const runner = new PredictionRunner(behaviour, codec, ctx.callbacks);

  function create(call: IncomingCall, model: string, version: string): Reply {
    if (behaviour.rateLimitedCreates > 0) {
      behaviour.rateLimitedCreates -= 1;
      const detail = `Request was throttled. Your rate limit resets in ~${behaviour.rateLimitResetS}s.`;
      return problem(429, "Request was throttled", detail);
    }
    const input = inputOf(call.body);
    if (!input) return problem(422, "Input validation failed", "input: expected an object");
    const events = eventsOf(call.body);
    if (!events)
      return problem(422, "Invalid webhook_events_filter", "expected start, output, logs or completed");
    const webhook = (call.body as { webhook?: unknown }).webhook;
    const cancelAfter = call.headers["cancel-after"];
    const deadlineMs = typeof cancelAfter === "string" ? goDurationMs(cancelAfter) : undefined;
    if (typeof cancelAfter === "string" && deadlineMs === undefined) {
      return problem(400, "Invalid Cancel-After header", "a duration from 5s to 24h, like 90s or 5m");
    }
    const prediction = runner.start({
      id: randomBytes(16).toString("hex").slice(0, 26),
      input,
      webhook: typeof webhook === "string" ? webhook : undefined,
      events,
      extra: { model, version },
      deadlineMs,
    });
    return json(201, codec.body(prediction));
  }

  function handle(call: IncomingCall): Reply {
    const file = FILE_ROUTE.exec(call.path);
    // The files are on replicate.delivery: no token, and up through an API outage.
    if (file && call.method === "GET") {
      const prediction = runner.all.get(file[1]!);
      if (prediction) expire(prediction);
      const bytes = files.get(`${file[1]}/${file[2]}`);
      return bytes
        ? { status: 200, body: bytes, headers: { "Content-Type": "image/jpeg" } }
        : json(404, { detail: "Not found" });
    }
    if (behaviour.unavailable) return problem(503, "Service Unavailable", "The fake is down on purpose.");
    if (call.headers.authorization !== `Bearer ${ctx.token}`) {
      return problem(401, "Unauthenticated", "You did not pass a valid authentication token");
    }
    const model = MODEL_ROUTE.exec(call.path);
    if (model && call.method === "POST") return create(call, `${model[1]}/${model[2]}`, "hidden");
    if (call.path === "/v1/predictions" && call.method === "POST") {
      const version = (call.body as { version?: unknown } | undefined)?.version;
      if (typeof version !== "string" || !version)
        return problem(422, "Input validation failed", "version is required");
      const [name, id] = version.includes(":") ? version.split(":") : [undefined, version];
      return create(call, name ?? "fake/versioned", id!);
    }
    const route = PREDICTION_ROUTE.exec(call.path);
    const prediction = route ? runner.all.get(route[1]!) : undefined;
    if (route && !prediction) return problem(404, "Not found", "The requested resource could not be found.");
    if (prediction && route?.[2] && call.method === "POST") {
      ctx.canceled.push(prediction.id);
      runner.cancel(prediction);
      return json(200, codec.body(prediction));
    }
    if (prediction && !route?.[2] && call.method === "GET") return json(200, codec.body(prediction));
    return problem(404, "Not found", "The requested resource could not be found.");
  }

  return {
    runner,
    handle,
    deleteOutputs: () => {
      for (const prediction of runner.all.values()) expire(prediction, true);
    },
  };
}

/** Replicate's errors are problem details. */
function problem(status: number, title: string, detail: string): Reply {
  return json(status, { title, detail, status }, { "Content-Type": "application/problem+json" });
}

/** A Go duration ("90s", "5m", "1h30m") in milliseconds, if within Replicate's range. */
function goDurationMs(value: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
  let total = 0;
  for (const [, amount, , u] of value.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * unit[u as keyof typeof unit];
  }
  const [min, max] = CANCEL_AFTER_RANGE_MS;
  return total >= min && total <= max ? total : undefined;
}
