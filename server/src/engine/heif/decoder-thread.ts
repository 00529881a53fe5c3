// The HEIF decoder thread (decode.ts runs it, and ends it after a large image): libheif runs as
// WebAssembly, whose memory only ever grows, and gives it back only when this thread ends.
import heif from "heic-decode";
import { move, transferableSymbol, valueSymbol } from "piscina";
import { shrinkFactorFor, shrinkRgba, type RgbaImage } from "./shrink";

export interface HeifRequest {
  photo: Uint8Array;
  /** Refused from the container's header, before a pixel is decoded (decompression bombs). */
  maxPixels: number;
  /** A larger image comes back box-shrunk by the smallest whole factor that fits. */
  maxDecodedPixels: number;
}

export type HeifReply =
  /** `decodedPixels`: the size libheif decoded at, which the thread's memory grew to hold. */
  { ok: true; image: RgbaImage; decodedPixels: number } | { ok: false; detail: string };

export default async function decodeInThread(request: HeifRequest): Promise<HeifReply> {
  const reply = await decode(request);
  if (!reply.ok) return reply;
  // The pixels move to the caller's thread without a copy (piscina's Transferable protocol).
  return move({
    [transferableSymbol]: reply.image.rgba.buffer,
    [valueSymbol]: reply,
  }) as unknown as HeifReply;
}

async function decode({ photo, maxPixels, maxDecodedPixels }: HeifRequest): Promise<HeifReply> {
  let images: Awaited<ReturnType<typeof heif.all>>;
  try {
    images = await heif.all({ buffer: photo });
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
  try {
    const primary = images[0];
    if (!primary || !(primary.width > 0) || !(primary.height > 0)) return { ok: false, detail: "no image" };
    const { width, height } = primary;
    if (width * height > maxPixels) {
      return { ok: false, detail: `${width}×${height} is over ${maxPixels / 1e6} MP` };
    }
    const decoded = await primary.decode();
    const { data } = decoded;
    if (data.length !== decoded.width * decoded.height * 4)
      return { ok: false, detail: "unexpected pixel data" };
    const full = {
      width: decoded.width,
      height: decoded.height,
      rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
    const factor = shrinkFactorFor(full.width, full.height, maxDecodedPixels);
    return { ok: true, image: shrinkRgba(full, factor), decodedPixels: full.width * full.height };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  } finally {
    images.dispose();
  }
}
