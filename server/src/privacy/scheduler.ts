// Runs the retention jobs inside the server on their schedules. Every instance runs them: the
// jobs' batches skip rows another instance holds, so no leader election is needed. `stop()` waits
// for a run in progress, so shutdown never cuts a batch in half.
import type { Clock } from "../clock";
import { RETENTION_JOBS, type RetentionDeps, type RetentionJob } from "./retention";

export interface RetentionScheduler {
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  clock: Clock;
  jobs?: readonly RetentionJob[];
  /** First runs are spread over this window so instances started together don't run in step. */
  initialDelayMaxMs?: number;
}

export function startRetentionScheduler(deps: RetentionDeps, options: SchedulerOptions): RetentionScheduler {
  const { clock, jobs = RETENTION_JOBS, initialDelayMaxMs = 60_000 } = options;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const runOnce = (job: RetentionJob) => {
    const run = job
      .run(deps, clock.now())
      .then((deleted) => {
        if (deleted > 0) deps.logger.info({ job: job.name, deleted }, "retention run");
      })
      .catch((err: unknown) => deps.logger.error({ job: job.name, err: String(err) }, "retention run failed"))
      .finally(() => running.delete(run));
    running.add(run);
    return run;
  };

  const schedule = (job: RetentionJob, delayMs: number) => {
    const timer = setTimeout(async () => {
      timers.delete(timer);
      if (stopped) return;
      await runOnce(job);
      if (!stopped) schedule(job, job.everyMs);
    }, delayMs);
    timer.unref();
    timers.add(timer);
  };

  for (const job of jobs) schedule(job, Math.floor(Math.random() * initialDelayMaxMs));

  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}
