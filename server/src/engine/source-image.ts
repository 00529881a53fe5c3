// Step 1 of the pipeline: validate and decode the uploaded photo with sharp (libvips), applying
// EXIF orientation; a shrink-on-load copy for detection and a framed crop at output scale.

import { closeSync, constants, openSync, statfsSync, writeSync } from "node:fs";
import sharp, { type Metadata, type Sharp } from "sharp";
import { EngineError } from "./types";
import type { Framing } from "./framing";
import { decodeHeif } from "./heif/decode";
import { canvasToSource, type CanvasMap, type RgbImage } from "./geometry";
import { level } from "./sampling";
import type { Scratch } from "./scratch";

/** Shortest side, after orientation, below which a headshot cannot look sharp. */
export const MIN_SHORT_SIDE = 400;
/** Longest side of the copy handed to face detection; BlazeFace works at 256 anyway. */
const DETECT_SIDE = 512;
/** Canvas pixels over which padding beyond the photo's edge fades the subject out. */
export const EDGE_FADE = 48;
const ACCEPTED = new Set(["jpeg", "png", "webp", "tiff", "gif", "avif"]);
/** Largest photo decoded, in pixels (HEIF is checked on its header, before any pixel decodes). */
export const MAX_PIXELS = 50_000_000;
/** `ftyp` brands of HEVC-coded HEIF (libvips here cannot read HEVC; AVIF goes to sharp). */
const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "heim", "heis", "hevm", "hevs", "mif1", "msf1"]);
const AVIF_BRANDS = new Set(["avif", "avis"]);

// Decoded images are used once; libvips' operation cache would only hold memory.
sharp.cache(false);

export interface SourceImage {
  width: number;
  height: number;
  /** A fresh, auto-oriented sharp pipeline on the photo. */
  open(): Sharp;
  /**
   * Calls `use` with pipelines on the photo decoded by libjpeg at 1/`factor` of its size (scaled
   * within its inverse DCT: a half-size decode is about half a full decode's work). Null, without
   * calling `use`, where that is not possible: not a JPEG, or no anonymous RAM file (`withRamFile`).
   */
  withShrinkOnLoad<T>(factor: ShrinkOnLoad, use: (open: () => Sharp) => Promise<T>): Promise<T | null>;
}

/** The scales libjpeg decodes at directly. */
export type ShrinkOnLoad = 2 | 4 | 8;
const SHRINK_ON_LOAD: readonly ShrinkOnLoad[] = [8, 4, 2];

export async function openSource(photo: Uint8Array): Promise<SourceImage> {
  if (isHeif(photo)) return openHeif(photo);
  let meta: Metadata;
  try {
    meta = await sharp(photo).metadata();
  } catch (err) {
    throw new EngineError("CORRUPT_IMAGE", (err as Error).message);
  }
  if (!meta.format || !ACCEPTED.has(meta.format) || !meta.width || !meta.height) {
    throw new EngineError("CORRUPT_IMAGE", `unsupported format ${meta.format ?? "unknown"}`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  const open = (input: Uint8Array | string) => sharp(input, { failOn: "error" }).autoOrient();
  return {
    width,
    height,
    open: () => open(photo),
    // libvips takes load options only with a file name: `[shrink=2]` asks libjpeg for half size.
    withShrinkOnLoad: async (factor, use) =>
      meta.format === "jpeg"
        ? withRamFile(photo, (file) => use(() => open(`${file}[shrink=${factor}]`)))
        : null,
  };
}

/** open(2) flag for an unnamed file in a directory's filesystem (Linux ≥ 3.11). */
const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;
const TMPFS_MAGIC = 0x01021994;
const RAM_DIR = "/dev/shm";
let ramFilesHere: boolean | undefined;

/** Whether `withRamFile` can work here: Linux with a tmpfs /dev/shm. */
export function ramFilesAvailable(): boolean {
  try {
    ramFilesHere ??= process.platform === "linux" && statfsSync(RAM_DIR).type === TMPFS_MAGIC;
  } catch {
    ramFilesHere = false;
  }
  return ramFilesHere;
}

/**
 * Calls `use` with a path at which libvips can read `bytes`: an anonymous file in RAM, opened with
 * O_TMPFILE | O_EXCL on tmpfs — it has no name in any directory and can never be given one, and
 * its pages are freed once its last descriptor closes (ours, here; libvips' own when its decode
 * ends) or the process dies. Like the heap, it is memory that may be swapped, never a disk file:
 * the photo stays in memory (SPEC §6.1). Null, without calling `use`, where there is no such file
 * (not Linux, no tmpfs /dev/shm) or it cannot take the bytes (a container's small /dev/shm full).
 */
export async function withRamFile<T>(
  bytes: Uint8Array,
  use: (path: string) => Promise<T>,
): Promise<T | null> {
  if (!ramFilesAvailable()) return null;
  let fd: number;
  try {
    fd = openSync(RAM_DIR, O_TMPFILE | constants.O_EXCL | constants.O_RDWR, 0o600);
  } catch {
    return null;
  }
  try {
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    } catch {
      return null;
    }
    return await use(`/proc/self/fd/${fd}`);
  } finally {
    closeSync(fd);
  }
}

/** HEIF by its `ftyp` box: a HEIF brand (major or compatible) and no AVIF brand. */
export function isHeif(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const text = (from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));
  if (text(4) !== "ftyp") return false;
  const size = Math.min(
    bytes.length,
    ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0,
  );
  const brands = [text(8)];
  for (let o = 16; o + 4 <= size; o += 4) brands.push(text(o));
  return !brands.some((b) => AVIF_BRANDS.has(b)) && brands.some((b) => HEIF_BRANDS.has(b));
}

/**
 * HEIC/HEIF with heic-decode (libheif in wasm; its transforms — rotation, mirror — are applied on
 * decode) in a disposable thread (heif/decode.ts), which refuses more than MAX_PIXELS from the
 * container's header before decoding a pixel; the primary image is then held as raw RGBA for sharp.
 */
async function openHeif(photo: Uint8Array): Promise<SourceImage> {
  const { width, height, rgba } = await decodeHeif(photo, MAX_PIXELS);
  const pixels = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const raw = { raw: { width, height, channels: 4 as const } };
  return { width, height, open: () => sharp(pixels, raw), withShrinkOnLoad: async () => null };
}

/** Checked after face detection, so a small photo without a face is told NO_FACE first. */
export function assertResolution(src: SourceImage): void {
  if (Math.min(src.width, src.height) < MIN_SHORT_SIDE) {
    throw new EngineError("LOW_RESOLUTION", `${src.width}×${src.height}`);
  }
}

/** The photo scaled down for detection; `factor` photo pixels per copy pixel. */
export type DetectionCopy = RgbImage & { factor: number };

/** A copy of at most DETECT_SIDE pixels; JPEG shrink-on-load makes this cheap for big photos. */
export async function detectionCopy(src: SourceImage): Promise<DetectionCopy> {
  try {
    const { data, info } = await src
      .open()
      .resize({ width: DETECT_SIDE, height: DETECT_SIDE, fit: "inside", withoutEnlargement: true })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      factor: src.width / info.width,
    };
  } catch (err) {
    throw new EngineError("CORRUPT_IMAGE", (err as Error).message);
  }
}

export interface FramedCanvas {
  rgb: Uint8Array;
  width: number;
  height: number;
  /** 1 where the canvas shows the photo, fading to 0 where it was padded past the photo's edge;
   * null when the frame lies wholly inside the photo. The photo is convex, so each row is 1 over
   * one interval (or nowhere) and below 1 only at its two ends. */
  coverage: Float32Array | null;
  padded: boolean;
}

/**
 * Renders the framing canvas: libvips resizes the photo to output scale (only the tiles the frame
 * needs are decoded and resampled, with a Lanczos kernel; JPEG shrinks on load), then the `level`
 * kernel rotates it (bilinear) to level the eyes, repeating the photo's edge pixels where the
 * frame reaches past it.
 */
export async function renderCanvas(src: SourceImage, f: Framing, scratch?: Scratch): Promise<FramedCanvas> {
  const { width: cw, height: ch } = f.canvas;
  const corners = [
    canvasToSource(f, 0, 0),
    canvasToSource(f, cw, 0),
    canvasToSource(f, 0, ch),
    canvasToSource(f, cw, ch),
  ];
  const sw = Math.max(1, Math.round(src.width * f.scale));
  const sh = Math.max(1, Math.round(src.height * f.scale));
  const sx = sw / src.width;
  const sy = sh / src.height;
  const clampX = (v: number) => Math.max(0, Math.min(sw, v));
  const clampY = (v: number) => Math.max(0, Math.min(sh, v));
  const xs = corners.map((p) => p.x * sx);
  const ys = corners.map((p) => p.y * sy);
  // The part of the scaled photo the frame covers (+2 px for bilinear taps), never empty.
  const left = Math.min(sw - 1, Math.floor(clampX(Math.min(...xs) - 2)));
  const top = Math.min(sh - 1, Math.floor(clampY(Math.min(...ys) - 2)));
  const regW = Math.max(1, Math.ceil(clampX(Math.max(...xs) + 2)) - left);
  const regH = Math.max(1, Math.ceil(clampY(Math.max(...ys) + 2)) - top);
  const padded = corners.some((p) => p.x < 0 || p.y < 0 || p.x > src.width || p.y > src.height);
  const decode = (open: () => Sharp) => {
    let pipeline = open().resize(sw, sh, { fit: "fill", kernel: "lanczos3" });
    // Enlarged photos get an unsharp mask scaled to the enlargement so they don't look soft.
    if (f.scale > 1.2) pipeline = pipeline.sharpen({ sigma: Math.min(2, 0.45 * f.scale), m1: 0.6, m2: 1.6 });
    return pipeline
      .extract({ left, top, width: regW, height: regH })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer();
  };
  // libjpeg can decode at ½, ¼ or ⅛ size, but sharp asks it to for only some shrink factors
  // (not in [2, 3), the usual 12 MP frame — its guard against libjpeg's rounding — nor for an
  // EXIF-rotated photo cropped after orienting, as phones write portraits): the engine asks itself.
  const shrink = Math.min(src.width / sw, src.height / sh);
  const factor = SHRINK_ON_LOAD.find((n) => n <= shrink);
  let region: Buffer | null = null;
  if (factor) region = await src.withShrinkOnLoad(factor, decode).catch(() => null); // retried below
  try {
    region ??= await decode(src.open);
  } catch (err) {
    throw new EngineError("CORRUPT_IMAGE", (err as Error).message);
  }
  // Level the eyes: bilinear sampling of the region (its edge pixels repeat past the photo).
  const levelled = level(
    new Uint8Array(region.buffer, region.byteOffset, region.length),
    regW,
    regH,
    cw,
    ch,
    (u, v) => {
      const p = canvasToSource(f, u + 0.5, v + 0.5);
      return { x: p.x * sx - 0.5 - left, y: p.y * sy - 0.5 - top };
    },
  );
  const rgb = scratch ? scratch.canvasRgb(cw * ch * 3) : new Uint8Array(cw * ch * 3);
  rgb.set(levelled);
  return { rgb, width: cw, height: ch, coverage: padded ? coverageOf(src, f, scratch) : null, padded };
}

/**
 * The framing canvas squeezed to `width` × `height` (the segmentation model's input, the matte's
 * working grid), levelled from the detection copy so this can run while libvips renders the full
 * canvas. Null when the copy has fewer pixels across the frame than `width` and than the photo
 * itself: then it must come from the canvas (`canvasPreview`, `canvasGuide`). (`copy.factor` is
 * the horizontal one; a copy rounded to whole pixels is off vertically by under a copy pixel.)
 */
export function framePreview(
  copy: DetectionCopy,
  f: Framing,
  width: number,
  height: number,
): Uint8Array | null {
  const acrossCopy = f.canvas.width / (f.scale * copy.factor);
  if (acrossCopy < Math.min(width, f.canvas.width / f.scale)) return null;
  return levelFromCopy(copy, f, width, height);
}

/** `map`'s canvas squeezed to `width` × `height`, levelled from the detection copy however coarse
 * it is there (past the photo's edge its edge pixels repeat). */
export function levelFromCopy(
  copy: DetectionCopy,
  map: CanvasMap,
  width: number,
  height: number,
): Uint8Array {
  const { width: cw, height: ch } = map.canvas;
  return level(copy.data, copy.width, copy.height, width, height, (a, b) => {
    const p = canvasToSource(map, ((a + 0.5) * cw) / width, ((b + 0.5) * ch) / height);
    return { x: p.x / copy.factor - 0.5, y: p.y / copy.factor - 0.5 };
  }).slice();
}

/** The canvas squeezed to `size` × `size` by libvips. */
export async function canvasPreview(canvas: FramedCanvas, size: number): Promise<Uint8Array> {
  const { width, height, rgb } = canvas;
  const small = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(size, size, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
  return new Uint8Array(small.buffer, small.byteOffset, small.length);
}

/**
 * 1 where the canvas shows the photo, fading to 0 over EDGE_FADE canvas pixels past its edge. The
 * canvas maps to the photo affinely, so each row shows the photo over one interval of columns:
 * columns a pixel or more inside it are 1 without computing anything, the rest by the formula.
 */
function coverageOf(src: SourceImage, f: Framing, scratch?: Scratch): Float32Array {
  const { width: cw, height: ch, eyeX, eyeY } = f.canvas;
  const coverage = scratch ? scratch.coverage(cw * ch) : new Float32Array(cw * ch);
  const cos = Math.cos(f.roll);
  const sin = Math.sin(f.roll);
  // Along a row the photo's x and y are linear in u: x0 + u·kx, y0 + u·ky.
  const [kx, ky] = [cos / f.scale, sin / f.scale];
  const dx0 = (0.5 - eyeX) / f.scale;
  for (let v = 0; v < ch; v++) {
    const dy = (v + 0.5 - eyeY) / f.scale;
    const [x0, y0] = [f.eye.x + cos * dx0 - sin * dy, f.eye.y + sin * dx0 + cos * dy];
    const [xLo, xHi] = within(x0, kx, src.width);
    const [yLo, yHi] = within(y0, ky, src.height);
    const inFrom = Math.max(0, Math.ceil(Math.max(xLo, yLo) + 1));
    const inTo = Math.min(cw - 1, Math.floor(Math.min(xHi, yHi) - 1));
    const row = v * cw;
    if (inFrom <= inTo) coverage.fill(1, row + inFrom, row + inTo + 1);
    for (let u = 0; u < cw; u++) {
      if (u === inFrom && inFrom <= inTo) {
        u = inTo;
        continue;
      }
      const dx = (u + 0.5 - eyeX) / f.scale;
      const px = f.eye.x + cos * dx - sin * dy;
      const py = f.eye.y + sin * dx + cos * dy;
      const out = Math.max(0, -px, px - src.width, -py, py - src.height) * f.scale;
      coverage[row + u] = out <= 0 ? 1 : Math.max(0, 1 - out / EDGE_FADE);
    }
  }
  return coverage;
}

/** The real interval of u where `c0 + u·k` lies in [0, length] (empty: lo > hi). */
function within(c0: number, k: number, length: number): [number, number] {
  if (k === 0) return c0 >= 0 && c0 <= length ? [-Infinity, Infinity] : [Infinity, -Infinity];
  const [a, b] = [-c0 / k, (length - c0) / k];
  return a < b ? [a, b] : [b, a];
}
