// Prometheus metrics (SPEC §11): request latency by route, generation latency by stage, queue
// depth, credits sold and webhook outcomes. One registry per Services (tests build their own);
// served by GET /metrics behind METRICS_TOKEN.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EngineStats } from "../engine/types";

export interface Metrics {
  registry: Registry;
  /** Seconds per request, by method, route pattern (never the raw path) and status. */
  requestSeconds: Histogram<"method" | "route" | "status">;
  /** Seconds per engine stage of each successful generation, and `total`. */
  generationSeconds: Histogram<"stage">;
  creditsSold: Counter;
  webhookEvents: Counter<"type" | "outcome">;
  /** Generative predictions (SPEC §7.3) by provider and outcome (`created`, `succeeded`, `failed`,
   * `canceled`, `retried`) and, for failures, the missing reason. */
  predictions: Counter<"provider" | "outcome" | "reason">;
  /** Seconds from sending a prediction to its terminal state, by provider and status. */
  predictionSeconds: Histogram<"provider" | "status">;
  /** Engine callbacks by outcome: applied, duplicate, stale, rejected (failed verification). */
  engineCallbacks: Counter<"outcome">;
  /** GPU seconds (what the provider bills) per finished generative job. */
  predictSecondsPerJob: Histogram<"provider">;
}

/** Jobs on this instance: accepted and not finished (`inFlight`), and the engine's view. */
export type JobCounts = EngineStats & { inFlight: number };

/** Counts read at each scrape: queue depth is what autoscaling watches (SPEC §11). */
export interface MetricSources {
  jobCounts(): JobCounts;
  /** Photo uploads being read on this instance (they hold no engine capacity yet). */
  uploadsInFlight(): number;
}

export function createMetrics({ jobCounts, uploadsInFlight }: MetricSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: "headshot_uploads_in_flight",
    help: "Photo uploads being read on this instance; engine capacity is taken only once a photo has arrived",
    registers,
    collect() {
      this.set(uploadsInFlight());
    },
  });
  new Gauge({
    name: "headshot_generation_jobs",
    help: "Generation jobs on this instance: in_flight (accepted, not finished), the engine's running and queued, and its capacity",
    labelNames: ["state"],
    registers,
    collect() {
      const { inFlight, running, queued, capacity } = jobCounts();
      this.set({ state: "in_flight" }, inFlight);
      this.set({ state: "running" }, running);
      this.set({ state: "queued" }, queued);
      this.set({ state: "capacity" }, capacity);
    },
  });
  return {
    registry,
    requestSeconds: new Histogram({
      name: "headshot_http_request_duration_seconds",
      help: "HTTP request latency by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    generationSeconds: new Histogram({
      name: "headshot_generation_stage_duration_seconds",
      help: "Engine time per stage of successful generations (stage=total: the whole job)",
      labelNames: ["stage"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    creditsSold: new Counter({
      name: "headshot_credits_sold_total",
      help: "Credits granted by Stripe purchases on this instance's webhooks",
      registers,
    }),
    webhookEvents: new Counter({
      name: "headshot_stripe_webhook_events_total",
      help: "Stripe webhook events by type and outcome",
      labelNames: ["type", "outcome"],
      registers,
    }),
    predictions: new Counter({
      name: "headshot_predictions_total",
      help: "Generative predictions by provider, outcome and (failures) reason",
      labelNames: ["provider", "outcome", "reason"],
      registers,
    }),
    predictionSeconds: new Histogram({
      name: "headshot_prediction_duration_seconds",
      help: "Seconds from sending a prediction to its terminal state",
      labelNames: ["provider", "status"],
      buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    }),
    engineCallbacks: new Counter({
      name: "headshot_engine_callbacks_total",
      help: "Generative engine callbacks by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    predictSecondsPerJob: new Histogram({
      name: "headshot_generative_job_predict_seconds",
      help: "GPU seconds billed per finished generative job (all its predictions and retries)",
      labelNames: ["provider"],
      buckets: [5, 10, 20, 40, 60, 90, 120, 180, 300, 600],
      registers,
    }),
  };
}
