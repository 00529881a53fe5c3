// HEIC/HEIF decoding within a memory budget. libheif (heic-decode, WebAssembly) needs about
// 11 bytes per pixel while it decodes, and a wasm memory never shrinks: a 12 KB HEIC declaring
// 7000×7000 used to leave ~560 MB in the engine thread that decoded it, for good. So libheif runs
// in a thread of its own, kept warm for phone-sized photos (a fresh thread decodes a 12 MP photo
// several times slower: loading libheif, unoptimised wasm) and ended after a larger one, after a
// failure, or after a minute without work, which gives its memory back. An image over
// MAX_DECODED_PIXELS comes back box-shrunk (shrink.ts), as a large JPEG is shrunk on load, so the
// engine never holds a full raster of a giant photo (libvips may keep its last input until its
// next job).
import { Piscina } from "piscina";
import { threadScript } from "../threads";
import { EngineError } from "../types";
import type { HeifReply, HeifRequest } from "./decoder-thread";
import type { RgbaImage } from "./shrink";

/** Decodes up to this size leave the thread running: a 12 MP phone photo (4032 × 3024). */
export const KEEP_WARM_PIXELS = 12_500_000;
/** The largest raster handed to the engine: a 48 MP photo comes back at 12 MP. */
export const MAX_DECODED_PIXELS = 16_000_000;
const IDLE_MS = 60_000;

let decoder: Piscina<HeifRequest, HeifReply> | undefined;
// One decode at a time, so the thread is never ended under a queued one.
let previous: Promise<void> = Promise.resolve();

/** The primary image of a HEIF, decoded in libheif's thread; CORRUPT_IMAGE if it can't be. */
export function decodeHeif(photo: Uint8Array, maxPixels: number): Promise<RgbaImage> {
  const next = previous.then(() => decodeNow(photo, maxPixels));
  previous = next.then(
    () => undefined, // holding the pixels here would keep them alive until the next decode
    () => undefined,
  );
  return next;
}

async function decodeNow(photo: Uint8Array, maxPixels: number): Promise<RgbaImage> {
  const thread = (decoder ??= new Piscina<HeifRequest, HeifReply>({
    ...threadScript("heif-decoder"),
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: IDLE_MS,
  }));
  let reply: HeifReply | undefined;
  try {
    reply = await thread
      .run({ photo, maxPixels, maxDecodedPixels: MAX_DECODED_PIXELS })
      .catch((err: Error) => {
        throw new EngineError("ENGINE_UNAVAILABLE", `heif decoder: ${err.message}`);
      });
    if (!reply.ok) throw new EngineError("CORRUPT_IMAGE", `heif: ${reply.detail}`);
    return reply.image;
  } finally {
    if (!reply?.ok || reply.decodedPixels > KEEP_WARM_PIXELS) {
      decoder = undefined;
      await thread.destroy();
    }
  }
}
