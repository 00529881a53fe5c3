// Polling a job: never faster than every 2 s (Canva's token rate limit), patient with a
// suspended panel and network trouble, final on errors that won't pass.
import { CanvaError } from "@canva/error";
import { act, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { GeneratingScreen } from "../src/screens/generating/generating-screen";
import { createApiClient } from "../src/api/client";
import { POLL_INTERVAL_MS, pollJob, sleep } from "../src/screens/generating/poll-job";
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
    // Through the real client: the token call fails while the panel is suspended.
    const getToken = vi
      .fn()
      .mockRejectedValueOnce(new CanvaError({ code: "not_allowed", message: "panel suspended" }))
      .mockResolvedValue("token");
    const fetchFn = vi
      .fn()
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockResolvedValueOnce(Response.json({ job: aJob({ status: "succeeded", progress: 1 }) }));
    const api = createApiClient({ baseUrl: "http://backend.test", getToken, fetch: fetchFn });
    const { delays, wait } = recordingWait();

    const job = await pollJob({
      jobId: "job-1",
      getJob: api.getJob,
      onUpdate: () => {},
      signal: new AbortController().signal,
      wait,
    });

    expect(job.status).toBe("succeeded");
    expect(delays).toEqual([2_000, 4_000, 8_000]);
  });

  it("stops when aborted while a request is in flight: no update, no further request", async () => {
    const controller = new AbortController();
    const getJob = vi.fn(async () => {
      controller.abort();
      return aJob({ status: "succeeded", progress: 1 });
    });
    const onUpdate = vi.fn();
    const { wait } = recordingWait();

    await expect(
      pollJob({ jobId: "job-1", getJob, onUpdate, signal: controller.signal, wait }),
    ).rejects.toBeDefined();
    expect(getJob).toHaveBeenCalledTimes(1);
    expect(onUpdate).not.toHaveBeenCalled();
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

describe("sleep", () => {
  it("rejects at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(60_000, controller.signal)).rejects.toBeDefined();
  });

  it("removes its abort listener when the time is up", async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, "removeEventListener");
    await sleep(1, controller.signal);
    expect(remove).toHaveBeenCalledWith("abort", expect.any(Function));
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
        typicalSeconds={5}
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
    expect(screen.getByText(/usually takes a few seconds/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeTruthy();

    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1));
    expect(api.getJob).not.toHaveBeenCalled();
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(api.getJob).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1));
    expect(api.getJob).toHaveBeenCalledTimes(1);
  });

  it("shows one placeholder per headshot, in the job's aspect ratio", () => {
    const { container } = renderWithProviders(
      <GeneratingScreen
        typicalSeconds={5}
        job={aJob({ styles: ["studio-grey", "classic-bw"], aspects: ["4:5"] })}
        onUpdate={() => {}}
        onEnd={() => {}}
        onPollError={() => {}}
        onCancel={() => {}}
        canceling={false}
        wait={() => new Promise(() => {})}
      />,
    );
    const shapes = container.querySelectorAll<HTMLElement>("[data-aspect]");
    expect(shapes).toHaveLength(2);
    for (const shape of shapes) expect(shape.style.aspectRatio).toBe("1024 / 1280");
  });

  it("unmounted while a poll is in flight: no onEnd and no further poll", async () => {
    vi.useFakeTimers();
    let answer: (job: ReturnType<typeof aJob>) => void = () => {};
    const getJob = vi.fn(
      () =>
        new Promise<ReturnType<typeof aJob>>((resolve) => {
          answer = resolve;
        }),
    );
    const onEnd = vi.fn();
    const onUpdate = vi.fn();
    const { unmount } = renderWithProviders(
      <GeneratingScreen
        typicalSeconds={5}
        job={aJob()}
        onUpdate={onUpdate}
        onEnd={onEnd}
        onPollError={() => {}}
        onCancel={() => {}}
        canceling={false}
      />,
      fakeApi({ getJob }),
    );
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));
    expect(getJob).toHaveBeenCalledTimes(1);

    unmount();
    answer(aJob({ status: "succeeded", progress: 1 }));
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 10);

    expect(onUpdate).not.toHaveBeenCalled();
    expect(onEnd).not.toHaveBeenCalled();
    expect(getJob).toHaveBeenCalledTimes(1);
  });
});
