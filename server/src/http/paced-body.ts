// Reading a request body against the clock: it must arrive by a deadline and keep up a minimum
// rate, so a client that stalls or trickles gets 408 within seconds instead of holding its
// connection (and whatever the route holds for it) until Node's five-minute request timeout.
import { ApiError } from "./api-error";

export interface BodyPace {
  /** The whole body must have arrived this long after reading starts. */
  deadlineMs: number;
  /** At least this many bytes per second, averaged over each window (0: no minimum). */
  minBytesPerSecond: number;
  /** Length of the windows the rate is measured over. */
  windowMs?: number;
}

/** Long enough to ride out a mobile network's pause; short enough to cut a stall quickly. */
export const RATE_WINDOW_MS = 10_000;

/**
 * Each chunk costs the event loop a read and a hand-over whatever its size, so a body sent in
 * one-byte HTTP chunks costs thousands of times the work of its bytes. Past FREE_CHUNKS, chunks
 * must average at least MIN_CHUNK_BYTES (a TCP segment on the slowest link is ~536 bytes; browsers
 * send 64 KB): a client that sends more, smaller chunks is refused with 400.
 */
export const FREE_CHUNKS = 1000;
export const MIN_CHUNK_BYTES = 512;

/**
 * Hands each chunk of `body` to `sink` (awaited, so the sink's back-pressure holds) until the body
 * ends. Throws 408 REQUEST_TIMEOUT when the deadline passes or a window brings too few bytes, 400
 * BAD_REQUEST when the chunks are too many for their bytes, and whatever `sink` throws; either
 * way it reads no further. The stream is not cancelled: on Node
 * that destroys the socket before the answer is written. The HTTP server drains and closes it
 * once the answer has gone (@hono/node-server does, for at most 500 ms).
 */
export async function readPacedBody(
  body: ReadableStream<Uint8Array>,
  sink: (chunk: Uint8Array) => Promise<void> | void,
  pace: BodyPace,
): Promise<void> {
  const windowMs = pace.windowMs ?? RATE_WINDOW_MS;
  const minPerWindow = (pace.minBytesPerSecond * windowMs) / 1000;
  const reader = body.getReader();
  let stop!: (err: ApiError) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined); // raced below; a late stop after the loop has no reader

  let windowBytes = 0;
  let received = 0;
  let chunks = 0;
  const deadline = setTimeout(
    () => stop(tooSlow(`didn't fully arrive within ${Math.round(pace.deadlineMs / 1000)} seconds`)),
    pace.deadlineMs,
  );
  const rate =
    minPerWindow > 0
      ? setInterval(() => {
          if (windowBytes < minPerWindow) {
            stop(tooSlow(`arrived at less than ${formatRate(pace.minBytesPerSecond)}`));
          }
          windowBytes = 0;
        }, windowMs)
      : undefined;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stopped]);
      if (done) return;
      windowBytes += value.byteLength;
      received += value.byteLength;
      if (++chunks > FREE_CHUNKS + received / MIN_CHUNK_BYTES) {
        throw new ApiError(
          "BAD_REQUEST",
          "Your upload arrived in too many tiny pieces. Try again from the panel, or from another browser.",
        );
      }
      await Promise.race([sink(value), stopped]);
    }
  } finally {
    clearTimeout(deadline);
    clearInterval(rate);
  }
}

function tooSlow(what: string): ApiError {
  return new ApiError(
    "REQUEST_TIMEOUT",
    `Your upload ${what}. Check your internet connection, then try again.`,
  );
}

function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond >= 1024 ? `${Math.round(bytesPerSecond / 1024)} KB/s` : `${bytesPerSecond} bytes/s`;
}
