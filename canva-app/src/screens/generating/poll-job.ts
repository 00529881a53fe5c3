// Follows a job until it ends. Never faster than every 2 s (each poll spends a Canva user token,
// rate-limited to 10 per 10 s), and patient with trouble that passes: a suspended panel
// (`not_allowed`), the network, or a busy server — those back off instead of failing the job.
import { CanvaError } from "@canva/error";
import type { Job } from "@headshot/shared";
import { ApiError } from "../../api/api-error";

export const POLL_INTERVAL_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;

const TRANSIENT_SDK_CODES = ["not_allowed", "rate_limited", "timeout", "user_offline", "internal_error"];

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

export function isTerminal(job: Job): boolean {
  return job.status === "succeeded" || job.status === "failed" || job.status === "canceled";
}

function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.transient;
  return error instanceof CanvaError && TRANSIENT_SDK_CODES.includes(error.code);
}

/** Delay before the next poll after `failures` transient failures in a row. */
export function nextDelay(failures: number, error?: unknown): number {
  if (failures === 0) return POLL_INTERVAL_MS;
  const backoff = Math.min(MAX_BACKOFF_MS, POLL_INTERVAL_MS * 2 ** failures);
  const retryAfter =
    error instanceof ApiError && error.details.retryAfterS ? error.details.retryAfterS * 1000 : 0;
  return Math.max(backoff, retryAfter);
}

export async function pollJob({
  jobId,
  getJob,
  onUpdate,
  signal,
  wait = sleep,
}: {
  jobId: string;
  getJob: (id: string) => Promise<Job>;
  onUpdate: (job: Job) => void;
  signal: AbortSignal;
  wait?: Sleep;
}): Promise<Job> {
  let failures = 0;
  let lastError: unknown;
  for (;;) {
    await wait(nextDelay(failures, lastError), signal);
    try {
      const job = await getJob(jobId);
      failures = 0;
      onUpdate(job);
      if (isTerminal(job)) return job;
    } catch (error) {
      if (!isTransient(error)) throw error;
      failures += 1;
      lastError = error;
    }
  }
}
