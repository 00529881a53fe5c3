// The prediction object both deployments send (Replicate's API and Cog's container share it): a
// create answer, a poll answer or a callback body, read into a PredictionState.
import { z } from "zod";
import type { PredictionState, PredictionStatus } from "./provider";

const PredictionBody = z.object({
  id: z.string().min(1),
  status: z.enum(["starting", "processing", "succeeded", "failed", "canceled", "aborted"]),
  // A model returns one image or a list; a prediction that has not finished (or whose data the
  // provider removed after its hour) has none.
  output: z.union([z.string(), z.array(z.string())]).nullish(),
  error: z.unknown().optional(),
  metrics: z.object({ predict_time: z.number().nonnegative().optional() }).nullish(),
});

/**
 * The state in a prediction body, or undefined when it isn't one. `aborted` (Replicate: the
 * `Cancel-After` deadline passed before the prediction started) is a failure to us.
 */
export function predictionState(body: unknown): PredictionState | undefined {
  const parsed = PredictionBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { id, status, output, error, metrics } = parsed.data;
  const state: PredictionStatus = status === "aborted" ? "failed" : status;
  return {
    providerId: id,
    status: state,
    outputs: output == null ? [] : typeof output === "string" ? [output] : output,
    error: errorText(error, status),
    predictSeconds: metrics?.predict_time ?? null,
  };
}

function errorText(error: unknown, status: string): string | null {
  if (typeof error === "string" && error) return error;
  if (error != null) return JSON.stringify(error);
  return status === "aborted" ? "aborted: the deadline passed before the prediction started" : null;
}
