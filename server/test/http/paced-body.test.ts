// readPacedBody: a body must arrive by its deadline and keep up a minimum rate (injected clock:
// vitest's fake timers).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { FREE_CHUNKS, readPacedBody } from "../../src/http/paced-body";

function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    body,
    push: (bytes: number) => controller.enqueue(new Uint8Array(bytes)),
    end: () => controller.close(),
  };
}

/** The promise's outcome so far, without waiting for it. */
function track(promise: Promise<void>) {
  const state: { outcome: "pending" | "done" | unknown } = { outcome: "pending" };
  promise.then(
    () => (state.outcome = "done"),
    (err: unknown) => (state.outcome = err),
  );
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("readPacedBody", () => {
  it("answers a body that stalls after its first kilobyte with 408 at the deadline, not before", async () => {
    const { body, push } = controlledBody();
    const read = track(readPacedBody(body, () => {}, { deadlineMs: 5_000, minBytesPerSecond: 0 }));
    push(1024);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(read.outcome).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(read.outcome).toBeInstanceOf(ApiError);
    expect(read.outcome).toMatchObject({ code: "REQUEST_TIMEOUT", status: 408 });
    expect((read.outcome as ApiError).message).toMatch(/within 5 seconds/);
  });

  it("answers a trickle below the minimum rate at the end of the window it fell short in", async () => {
    const { body, push } = controlledBody();
    const pace = { deadlineMs: 60_000, minBytesPerSecond: 1_000, windowMs: 1_000 };
    const read = track(readPacedBody(body, () => {}, pace));
    push(1_500);
    await vi.advanceTimersByTimeAsync(1_000);
    push(999);
    await vi.advanceTimersByTimeAsync(999);
    expect(read.outcome).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(read.outcome).toMatchObject({ code: "REQUEST_TIMEOUT" });
    expect((read.outcome as ApiError).message).toMatch(/less than 1000 bytes\/s/);
  });

  it("reads a slow body that keeps the rate to its end, every chunk to the sink", async () => {
    const { body, push, end } = controlledBody();
    const seen: number[] = [];
    const pace = { deadlineMs: 60_000, minBytesPerSecond: 1_000, windowMs: 1_000 };
    const read = track(readPacedBody(body, (chunk) => void seen.push(chunk.byteLength), pace));
    for (let second = 0; second < 30; second++) {
      push(1_000);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    end();
    await vi.advanceTimersByTimeAsync(0);
    expect(read.outcome).toBe("done");
    expect(seen).toHaveLength(30);
  });

  it("stops at the sink's first refusal and reads no further", async () => {
    const { body, push } = controlledBody();
    const seen: number[] = [];
    const refusal = new ApiError("BAD_REQUEST", "The form has more than 13 parts.");
    const read = track(
      readPacedBody(
        body,
        (chunk) => {
          seen.push(chunk.byteLength);
          if (seen.length === 2) throw refusal;
        },
        { deadlineMs: 5_000, minBytesPerSecond: 0 },
      ),
    );
    for (let i = 0; i < 5; i++) push(10);
    await vi.advanceTimersByTimeAsync(0);
    expect(read.outcome).toBe(refusal);
    expect(seen).toHaveLength(2);
  });
  it("refuses a body sent in tiny pieces with 400 once they outnumber their bytes, and reads no further", async () => {
    const { body, push } = controlledBody();
    let handed = 0;
    const read = track(
      readPacedBody(body, () => void handed++, { deadlineMs: 60_000, minBytesPerSecond: 0 }),
    );
    for (let i = 0; i < FREE_CHUNKS + 10; i++) push(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(read.outcome).toBeInstanceOf(ApiError);
    expect((read.outcome as ApiError).code).toBe("BAD_REQUEST");
    expect(handed).toBeLessThanOrEqual(FREE_CHUNKS + 2);
  });

  it("takes as many chunks as a slow link's full segments bring", async () => {
    const { body, push, end } = controlledBody();
    const read = track(readPacedBody(body, () => {}, { deadlineMs: 60_000, minBytesPerSecond: 0 }));
    for (let i = 0; i < 5 * FREE_CHUNKS; i++) push(536);
    end();
    await vi.advanceTimersByTimeAsync(0);
    expect(read.outcome).toBe("done");
  });
});
