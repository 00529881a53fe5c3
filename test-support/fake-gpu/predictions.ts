// A prediction's life in the fake, the same for both deployments: starting → processing → a
// terminal status, then the completed callback — lost, duplicated, retried or followed by a stale
// one as the behaviour says. What differs per deployment (the body's shape, how outputs are
// published, how a callback is authenticated) comes from a PredictionCodec.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { drawFakeHeadshot } from "./draw";
import type { FakeGpuBehaviour, FakeStatus, SentCallback } from "./types";

/** The words a safety checker fails a prediction with (FLUX Kontext on Replicate). */
export const SAFETY_ERROR = "NSFW content detected. Try running it again, or try a different prompt.";
const TERMINAL: readonly FakeStatus[] = ["succeeded", "failed", "canceled", "aborted"];
const RETRY_BASE_MS = 50;

export interface FakePrediction {
  id: string;
  status: FakeStatus;
  input: Record<string, unknown>;
  webhook: string | undefined;
  /** `webhook_events_filter`: the fake sends `start` and `completed` events. */
  events: readonly string[];
  createdAt: Date;
  startedAt: Date | undefined;
  completedAt: Date | undefined;
  output: string[] | null;
  error: string | null;
  /** Set at creation, so "the first N" counts predictions in the order they were created. */
  plannedError: string | null;
  /** Replicate: outputs and inputs deleted after their hour. */
  dataRemoved: boolean;
  /** The body as it stood while processing, for a stale callback sent after the completed one. */
  processingBody: string | undefined;
  /** Fields only one deployment shows (Replicate's model and version). */
  extra: Record<string, unknown>;
  timers: Set<NodeJS.Timeout>;
  /** Resolves when the prediction reaches a terminal status. */
  done: Promise<void>;
  markDone: () => void;
}

export interface PredictionCodec {
  /** The prediction as the API answers and its callbacks carry it. */
  body(prediction: FakePrediction): Record<string, unknown>;
  /** The output image as the deployment hands it out (a URL it serves, or a data URL). */
  publish(prediction: FakePrediction, jpeg: Buffer): string[];
  /** The headers that authenticate one callback delivery. */
  authenticate(deliveryId: string, body: string): Record<string, string>;
}

export interface NewPrediction {
  id: string;
  input: Record<string, unknown>;
  webhook: string | undefined;
  events: readonly string[];
  extra?: Record<string, unknown>;
  /** Replicate's `Cancel-After`: aborted if still starting then, canceled if running. */
  deadlineMs?: number;
}

export function isTerminal(prediction: FakePrediction): boolean {
  return TERMINAL.includes(prediction.status);
}

export class PredictionRunner {
  readonly all = new Map<string, FakePrediction>();
  private readonly failures: { count: number; promptIncludes: string | undefined; error: string }[] = [];
  private inflight = 0;
  private stopped = false;

  constructor(
    private readonly behaviour: FakeGpuBehaviour,
    private readonly codec: PredictionCodec,
    private readonly sent: SentCallback[],
  ) {}

  start(request: NewPrediction): FakePrediction {
    let markDone = () => {};
    const done = new Promise<void>((resolve) => (markDone = resolve));
    const prediction: FakePrediction = {
      ...request,
      extra: request.extra ?? {},
      status: "starting",
      createdAt: new Date(),
      startedAt: undefined,
      completedAt: undefined,
      output: null,
      error: null,
      plannedError: this.plannedError(String(request.input.prompt ?? "")),
      dataRemoved: false,
      processingBody: undefined,
      timers: new Set(),
      done,
      markDone,
    };
    this.all.set(prediction.id, prediction);
    if (prediction.webhook && prediction.events.includes("start"))
      void this.track(this.deliverCopy(prediction, this.bodyOf(prediction)));
    this.after(prediction, this.behaviour.startMs, () => this.process(prediction));
    if (request.deadlineMs !== undefined) {
      this.after(prediction, request.deadlineMs, () =>
        this.finish(prediction, prediction.status === "starting" ? "aborted" : "canceled", null),
      );
    }
    return prediction;
  }

  /** Cancels a running prediction; false when it had already finished. */
  cancel(prediction: FakePrediction): boolean {
    if (isTerminal(prediction)) return false;
    this.finish(prediction, "canceled", null);
    return true;
  }

  failNext(count: number, promptIncludes: string | undefined, error: string): void {
    this.failures.push({ count, promptIncludes, error });
  }

  running(): FakePrediction[] {
    return [...this.all.values()].filter((p) => !isTerminal(p));
  }

  async settled(): Promise<void> {
    while (this.inflight > 0 || this.running().length > 0) await sleep(10);
  }

  stop(): void {
    this.stopped = true;
    for (const prediction of this.all.values()) for (const timer of prediction.timers) clearTimeout(timer);
  }

  private plannedError(prompt: string): string | null {
    if (this.behaviour.failWhenPromptIncludes.some((words) => prompt.includes(words))) return SAFETY_ERROR;
    const rule = this.failures.find(
      (r) => r.count > 0 && (!r.promptIncludes || prompt.includes(r.promptIncludes)),
    );
    if (!rule) return null;
    rule.count -= 1;
    return rule.error;
  }

  private process(prediction: FakePrediction): void {
    prediction.status = "processing";
    prediction.startedAt = new Date();
    prediction.processingBody = this.bodyOf(prediction);
    this.after(prediction, this.behaviour.runMs, () => void this.track(this.complete(prediction)));
  }

  private async complete(prediction: FakePrediction): Promise<void> {
    if (prediction.plannedError) return this.finish(prediction, "failed", prediction.plannedError);
    try {
      const jpeg = await drawFakeHeadshot(prediction.input);
      // Canceled (or past its deadline) while drawing: the cancel already reported it.
      if (isTerminal(prediction)) return;
      prediction.output = this.codec.publish(prediction, jpeg);
      this.finish(prediction, "succeeded", null);
    } catch (err) {
      this.finish(prediction, "failed", err instanceof Error ? err.message : String(err));
    }
  }

  private finish(prediction: FakePrediction, status: FakeStatus, error: string | null): void {
    if (isTerminal(prediction)) return;
    for (const timer of prediction.timers) clearTimeout(timer);
    prediction.status = status;
    prediction.error = error;
    prediction.completedAt = new Date();
    prediction.markDone();
    if (prediction.webhook && prediction.events.includes("completed"))
      void this.track(this.sendCompleted(prediction));
  }

  private async sendCompleted(prediction: FakePrediction): Promise<void> {
    const body = this.bodyOf(prediction);
    if (this.behaviour.dropCallbacks > 0) {
      this.behaviour.dropCallbacks -= 1;
      this.record(prediction, prediction.status, {}, body, undefined, true);
      return;
    }
    const sharedId = deliveryId();
    const copies = Array.from({ length: Math.max(1, this.behaviour.callbackCopies) }, () =>
      this.behaviour.distinctCopyIds ? deliveryId() : sharedId,
    );
    if (this.behaviour.concurrentCopies) {
      await Promise.all(copies.map((id) => this.deliverCopy(prediction, body, id)));
    } else {
      for (const id of copies) await this.deliverCopy(prediction, body, id);
    }
    if (this.behaviour.staleAfterCompleted && prediction.processingBody) {
      await this.deliverCopy(prediction, prediction.processingBody, deliveryId(), "processing");
    }
  }

  /** One delivery, sent again (same id, fresh signature) while the receiver doesn't answer 2xx. */
  private async deliverCopy(
    prediction: FakePrediction,
    body: string,
    id = deliveryId(),
    status = prediction.status,
  ): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt += 1) {
      const headers = { "Content-Type": "application/json", ...this.codec.authenticate(id, body) };
      let responseStatus: number | undefined;
      try {
        const response = await fetch(prediction.webhook!, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
        });
        responseStatus = response.status;
        await response.body?.cancel();
      } catch {
        responseStatus = undefined;
      }
      this.record(prediction, status, headers, body, responseStatus, false);
      if (responseStatus !== undefined && responseStatus < 300) return;
      if (attempt >= this.behaviour.callbackRetries) return;
      await sleep(RETRY_BASE_MS * 2 ** attempt);
    }
  }

  private record(
    prediction: FakePrediction,
    status: FakeStatus,
    headers: Record<string, string>,
    body: string,
    responseStatus: number | undefined,
    dropped: boolean,
  ): void {
    this.sent.push({
      predictionId: prediction.id,
      status,
      url: prediction.webhook!,
      headers,
      body,
      responseStatus,
      dropped,
    });
  }

  private bodyOf(prediction: FakePrediction): string {
    return JSON.stringify(this.codec.body(prediction));
  }

  private after(prediction: FakePrediction, ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      prediction.timers.delete(timer);
      action();
    }, ms);
    prediction.timers.add(timer);
  }

  private async track(work: Promise<void>): Promise<void> {
    this.inflight += 1;
    try {
      await work;
    } finally {
      this.inflight -= 1;
    }
  }
}

/** A Standard Webhooks message id, like the ones Replicate sends. */
function deliveryId(): string {
  return `msg_${randomBytes(12).toString("base64url")}`;
}
