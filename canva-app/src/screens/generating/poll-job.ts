// Follows a job until it ends. Never faster than every 2 s (each poll spends a Canva user token,
// rate-limited to 10 per 10 s), and patient with trouble that passes: a suspended panel
// (`not_allowed`), the network, or a busy server — those back off instead of failing the job.
// The API client turns the Canva SDK's errors into ApiErrors (`fromCanvaError`), so an ApiError's
// `transient` is the one test of "worth waiting for".
import type { Job } from "@headshot/shared";
import { ApiError } from "../../api/api-error";

export const POLL_INTERVAL_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * `signal.throwIfAborted()` and `signal.reason` only arrived in Chrome 100 / 98; the panel
 * targets Chrome 89, so both are spelled out here.
 */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

function abortReason(signal: AbortSignal): unknown {
  return (signal.reason as unknown) ?? new DOMException("The operation was aborted.", "AbortError");
}

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

export function isTerminal(job: Job): boolean {
  return job.status === "succeeded" || job.status === "failed" || job.status === "canceled";
}

function isTransient(error: unknown): boolean {
  return error instanceof ApiError && error.transient;
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
    throwIfAborted(signal); // a `wait` may resolve after an abort
    let job: Job;
    try {
      job = await getJob(jobId);
    } catch (error) {
      throwIfAborted(signal);
      if (!isTransient(error)) throw error;
      failures += 1;
      lastError = error;
      continue;
    }
    // Aborted while the request was in flight: its answer is no longer anyone's business.
    throwIfAborted(signal);
    failures = 0;
    onUpdate(job);
    if (isTerminal(job)) return job;
  }
}
