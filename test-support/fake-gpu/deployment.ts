// What each fake deployment (Replicate's API, a Cog container) plugs into the shared server: its
// routes over the shared prediction runner.
import type { IncomingHttpHeaders } from "node:http";
import type { PredictionRunner } from "./predictions";
import type { FakeGpuBehaviour, SentCallback } from "./types";

export interface IncomingCall {
  method: string;
  /** The path without its query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or undefined. */
  body: unknown;
}

export interface Reply {
  status: number;
  /** JSON, or bytes sent with `headers`' content type. */
  body: unknown;
  headers?: Record<string, string>;
}

export interface DeploymentContext {
  /** http://host:port of the fake. */
  url: string;
  token: string;
  webhookSecret: string;
  setupMs: number;
  behaviour: FakeGpuBehaviour;
  callbacks: SentCallback[];
  canceled: string[];
}

export interface FakeDeployment {
  runner: PredictionRunner;
  handle(call: IncomingCall): Reply | Promise<Reply>;
  deleteOutputs(): void;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers,
});

/** `input` must be a JSON object in both deployments' create requests. */
export function inputOf(body: unknown): Record<string, unknown> | undefined {
  const input = (body as { input?: unknown } | undefined)?.input;
  return typeof input === "object" && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : undefined;
}

/** `webhook_events_filter`, or every event when absent (both deployments' default). */
export function eventsOf(body: unknown): string[] | undefined {
  const filter = (body as { webhook_events_filter?: unknown }).webhook_events_filter;
  if (filter === undefined) return ["start", "output", "logs", "completed"];
  const valid = ["start", "output", "logs", "completed"];
  return Array.isArray(filter) && filter.every((e) => valid.includes(e)) ? (filter as string[]) : undefined;
}

/** A single image is returned as a string (as FLUX Kontext and a Cog `Path` output are). */
export function outputOf(output: string[] | null): string | string[] | null {
  return output?.length === 1 ? output[0]! : output;
}

export function iso(date: Date | undefined): string | null {
  return date ? date.toISOString() : null;
}
