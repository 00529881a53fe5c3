// Polling a job: never faster than every 2 s (Canva's token rate limit), patient with a
// suspended panel and network trouble, final on errors that won't pass.
import { CanvaError } from "@canva/error";
import { act, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { GeneratingScreen } from "../src/screens/generating/generating-screen";
import { POLL_INTERVAL_MS, pollJob } from "../src/screens/generating/poll-job";
import { aJob, fakeApi, renderWithProviders } from "./helpers";

function recordingWait() {
  const delays: number[] = [];
  return { delays, wait: async (ms: number) => void delays.push(ms) };
}

describe("pollJob", () => {
  it("waits at least 2 s before every request", async () => {
    const getJob = vi
      .fn()
      .mockResolvedValueOnce(aJob({ progress: 0.2 }))
      .mockResolvedValueOnce(aJob({ progress: 0.6 }))
      .mockResolvedValueOnce(aJob({ status: "succeeded", progress: 1 }));
    const { delays, wait } = recordingWait();
    const onUpdate = vi.fn();

    const job = await pollJob({
      jobId: "job-1",
      getJob,
      onUpdate,
      signal: new AbortController().signal,
      wait,
    });

    expect(job.status).toBe("succeeded");
    expect(getJob).toHaveBeenCalledTimes(3);
    expect(delays).toHaveLength(3);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2_000);
    expect(onUpdate.mock.calls.map(([j]) => j.progress)).toEqual([0.2, 0.6, 1]);
  });

  it("backs off through a suspended panel and a network error, then carries on", async () => {
    const getJob = vi
      .fn()
      .mockRejectedValueOnce(new CanvaError({ code: "not_allowed", message: "panel suspended" }))
      .mockRejectedValueOnce(new ApiError("NETWORK", "offline"))
      .mockResolvedValueOnce(aJob({ status: "succeeded", progress: 1 }));
    const { delays, wait } = recordingWait();

    await pollJob({ jobId: "job-1", getJob, onUpdate: () => {}, signal: new AbortController().signal, wait });

    expect(delays).toEqual([2_000, 4_000, 8_000]);
  });

  it("honours Retry-After when the server asks for longer", async () => {
    const getJob = vi
      .fn()
      .mockRejectedValueOnce(new ApiError("RATE_LIMITED", "slow down", { retryAfterS: 20 }))
      .mockResolvedValueOnce(aJob({ status: "failed" }));
    const { delays, wait } = recordingWait();

    await pollJob({ jobId: "job-1", getJob, onUpdate: () => {}, signal: new AbortController().signal, wait });

    expect(delays).toEqual([2_000, 20_000]);
  });

  it("gives up on an error that waiting won't fix", async () => {
    const getJob = vi.fn().mockRejectedValue(new ApiError("NOT_FOUND", "gone"));
    const { wait } = recordingWait();
    await expect(
      pollJob({ jobId: "job-1", getJob, onUpdate: () => {}, signal: new AbortController().signal, wait }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("GeneratingScreen", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks for the job no sooner than 2 s after showing it, and shows the stage", async () => {
    vi.useFakeTimers();
    const api = fakeApi();
    renderWithProviders(
      <GeneratingScreen
        job={aJob({ stage: "detecting", progress: 0.25 })}
        onUpdate={() => {}}
        onEnd={() => {}}
        onPollError={() => {}}
        onCancel={() => {}}
        canceling={false}
      />,
      api,
    );
    expect(screen.getByText("Finding your face…")).toBeTruthy();
    expect(screen.getByText(/usually takes about 10 seconds/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeTruthy();

    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1));
    expect(api.getJob).not.toHaveBeenCalled();
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(api.getJob).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1));
    expect(api.getJob).toHaveBeenCalledTimes(1);
  });
});
