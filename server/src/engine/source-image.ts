// Step 1 of the pipeline: validate and decode the uploaded photo with sharp (libvips), applying
// EXIF orientation; a shrink-on-load copy for detection and a framed crop at output scale.

import sharp, { type Metadata, type Sharp } from "sharp";
import heif from "heic-decode";
import { EngineError } from "./types";
import { canvasToSource, type Framing } from "./framing";
import type { RgbImage } from "./face-detector";
import type { Scratch } from "./scratch";

/** Shortest side, after orientation, below which a headshot cannot look sharp. */
export const MIN_SHORT_SIDE = 400;
/** Longest side of the copy handed to face detection; BlazeFace works at 256 anyway. */
const DETECT_SIDE = 512;
/** Canvas pixels over which padding beyond the photo's edge fades the subject out. */
const EDGE_FADE = 48;
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
}

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
  return { width, height, open: () => sharp(photo, { failOn: "error" }).autoOrient() };
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
 * decode). Dimensions come from the container before any pixel is decoded, so a decompression
 * bomb is refused cheaply; the primary image is then held as raw RGBA for sharp.
 */
async function openHeif(photo: Uint8Array): Promise<SourceImage> {
  let images: Awaited<ReturnType<typeof heif.all>>;
  try {
    images = await heif.all({ buffer: photo });
  } catch (err) {
    throw new EngineError("CORRUPT_IMAGE", `heif: ${(err as Error).message}`);
  }
  try {
    const primary = images[0];
    if (!primary || !(primary.width > 0) || !(primary.height > 0))
      throw new EngineError("CORRUPT_IMAGE", "heif: no image");
    const { width, height } = primary;
    if (width * height > MAX_PIXELS)
      throw new EngineError("CORRUPT_IMAGE", `heif: ${width}×${height} is over ${MAX_PIXELS / 1e6} MP`);
    let decoded: Awaited<ReturnType<typeof primary.decode>>;
    try {
      decoded = await primary.decode();
    } catch (err) {
      throw new EngineError("CORRUPT_IMAGE", `heif: ${(err as Error).message}`);
    }
    const { data } = decoded;
    if (data.length !== decoded.width * decoded.height * 4)
      throw new EngineError("CORRUPT_IMAGE", "heif: unexpected pixel data");
    const pixels = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const raw = { raw: { width: decoded.width, height: decoded.height, channels: 4 as const } };
    return { width: decoded.width, height: decoded.height, open: () => sharp(pixels, raw) };
  } finally {
    images.dispose();
  }
}

/** Checked after face detection, so a small photo without a face is told NO_FACE first. */
export function assertResolution(src: SourceImage): void {
  if (Math.min(src.width, src.height) < MIN_SHORT_SIDE) {
    throw new EngineError("LOW_RESOLUTION", `${src.width}×${src.height}`);
  }
}

/** A copy of at most DETECT_SIDE pixels; JPEG shrink-on-load makes this cheap for big photos. */
export async function detectionCopy(src: SourceImage): Promise<RgbImage & { factor: number }> {
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
   * null when the frame lies wholly inside the photo. */
  coverage: Float32Array | null;
  padded: boolean;
}

/**
 * Renders the framing canvas in libvips: the photo is resized to output scale (only the tiles
 * the frame needs are decoded and resampled, with a Lanczos kernel), edge-padded by repeating the
 * photo's edge pixels where the frame reaches past it, then rotated (bilinear) to level the eyes.
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
  // Edge padding (repeated edge pixels) so the rotated region covers the whole frame.
  const margin = (lo: number, hi: number, size: number) => [
    Math.max(0, Math.ceil(-lo)) + 2,
    Math.max(0, Math.ceil(hi - size)) + 2,
  ];
  const [padL, padR] = margin(Math.min(...xs) - left, Math.max(...xs) - left, regW) as [number, number];
  const [padT, padB] = margin(Math.min(...ys) - top, Math.max(...ys) - top, regH) as [number, number];

  let pipeline = src.open().resize(sw, sh, { fit: "fill", kernel: "lanczos3" });
  // Enlarged photos get an unsharp mask scaled to the enlargement so they don't look soft.
  if (f.scale > 1.2) pipeline = pipeline.sharpen({ sigma: Math.min(2, 0.45 * f.scale), m1: 0.6, m2: 1.6 });
  let region: Buffer;
  try {
    region = await pipeline
      .extract({ left, top, width: regW, height: regH })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer();
  } catch (err) {
    throw new EngineError("CORRUPT_IMAGE", (err as Error).message);
  }
  const W = regW + padL + padR;
  const H = regH + padT + padB;
  const degrees = (-f.roll * 180) / Math.PI;
  // Two pipelines: sharp would rotate before extending within one.
  const extended = await sharp(region, { raw: { width: regW, height: regH, channels: 3 } })
    .extend({ left: padL, right: padR, top: padT, bottom: padB, extendWith: "copy" })
    .raw()
    .toBuffer();
  const { data: rotated, info } = await sharp(extended, { raw: { width: W, height: H, channels: 3 } })
    .rotate(degrees, { background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // libvips rotates about the image centre: map the eye there, then cut the canvas around it.
  const ex = f.eye.x * sx - left + padL - W / 2;
  const ey = f.eye.y * sy - top + padT - H / 2;
  const cos = Math.cos(-f.roll);
  const sin = Math.sin(-f.roll);
  const offX = Math.round(cos * ex - sin * ey + info.width / 2 - f.canvas.eyeX);
  const offY = Math.round(sin * ex + cos * ey + info.height / 2 - f.canvas.eyeY);
  // Every row is overwritten below, so a reused buffer needs no clearing.
  const rgb = scratch ? scratch.u8("canvas", cw * ch * 3) : new Uint8Array(cw * ch * 3);
  for (let v = 0; v < ch; v++) {
    const y = Math.max(0, Math.min(info.height - 1, v + offY));
    const x0 = Math.max(0, Math.min(info.width - cw, offX));
    const from = (y * info.width + x0) * 3;
    rgb.set(rotated.subarray(from, from + cw * 3), v * cw * 3);
  }
  return { rgb, width: cw, height: ch, coverage: padded ? coverageOf(src, f) : null, padded };
}

/** 1 where the canvas shows the photo, fading to 0 over EDGE_FADE canvas pixels past its edge. */
function coverageOf(src: SourceImage, f: Framing): Float32Array {
  const { width: cw, height: ch } = f.canvas;
  const coverage = new Float32Array(cw * ch);
  const cos = Math.cos(f.roll);
  const sin = Math.sin(f.roll);
  for (let v = 0; v < ch; v++) {
    const dy = (v + 0.5 - f.canvas.eyeY) / f.scale;
    for (let u = 0; u < cw; u++) {
      const dx = (u + 0.5 - f.canvas.eyeX) / f.scale;
      const px = f.eye.x + cos * dx - sin * dy;
      const py = f.eye.y + sin * dx + cos * dy;
      const out = Math.max(0, -px, px - src.width, -py, py - src.height) * f.scale;
      coverage[v * cw + u] = out <= 0 ? 1 : Math.max(0, 1 - out / EDGE_FADE);
    }
  }
  return coverage;
}
