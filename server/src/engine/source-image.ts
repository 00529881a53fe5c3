// Step 1 of the pipeline: validate and decode the uploaded photo with sharp (libvips), applying
// EXIF orientation; a shrink-on-load copy for detection and a framed crop at output scale.

import sharp, { type Metadata, type Sharp } from "sharp";
import { EngineError } from "./types";
import { canvasToSource, type Framing } from "./framing";
import type { RgbImage } from "./face-detector";

/** Shortest side, after orientation, below which a headshot cannot look sharp. */
export const MIN_SHORT_SIDE = 400;
/** Longest side of the copy handed to face detection; BlazeFace works at 256 anyway. */
const DETECT_SIDE = 512;
/** Canvas pixels over which padding beyond the photo's edge fades the subject out. */
const EDGE_FADE = 48;
const ACCEPTED = new Set(["jpeg", "png", "webp", "tiff", "gif", "avif"]);

// Decoded images are used once; libvips' operation cache would only hold memory.
sharp.cache(false);

export interface SourceImage {
  width: number;
  height: number;
  /** A fresh, auto-oriented sharp pipeline on the photo. */
  open(): Sharp;
}

export async function openSource(photo: Uint8Array): Promise<SourceImage> {
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
  /** 1 where the canvas shows the photo, fading to 0 where it was padded past the photo's edge. */
  coverage: Float32Array;
  padded: boolean;
}

/**
 * Renders the framing canvas: libvips resizes the photo to output scale (only the tiles the
 * frame needs are decoded and resampled, with a Lanczos kernel), then the roll is applied with
 * bilinear sampling; pixels beyond the photo repeat its edge (edge padding).
 */
export async function renderCanvas(src: SourceImage, f: Framing): Promise<FramedCanvas> {
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
  // The part of the scaled photo the frame covers (+2 px for bilinear taps), never empty.
  const left = Math.min(sw - 1, Math.floor(clampX(Math.min(...corners.map((p) => p.x)) * sx - 2)));
  const top = Math.min(sh - 1, Math.floor(clampY(Math.min(...corners.map((p) => p.y)) * sy - 2)));
  const regW = Math.max(1, Math.ceil(clampX(Math.max(...corners.map((p) => p.x)) * sx + 2)) - left);
  const regH = Math.max(1, Math.ceil(clampY(Math.max(...corners.map((p) => p.y)) * sy + 2)) - top);
  const padded = corners.some((p) => p.x < 0 || p.y < 0 || p.x > src.width || p.y > src.height);

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

  const rgb = new Uint8Array(cw * ch * 3);
  const coverage = new Float32Array(cw * ch);
  const cos = Math.cos(f.roll);
  const sin = Math.sin(f.roll);
  const maxX = regW - 1;
  const maxY = regH - 1;
  for (let v = 0; v < ch; v++) {
    const dy = (v + 0.5 - f.canvas.eyeY) / f.scale;
    for (let u = 0; u < cw; u++) {
      const dx = (u + 0.5 - f.canvas.eyeX) / f.scale;
      const px = f.eye.x + cos * dx - sin * dy;
      const py = f.eye.y + sin * dx + cos * dy;
      // Distance past the photo's edge, in canvas pixels.
      const out = Math.max(0, -px, px - src.width, -py, py - src.height) * f.scale;
      const i = v * cw + u;
      coverage[i] = out <= 0 ? 1 : Math.max(0, 1 - out / EDGE_FADE);
      const x = Math.max(0, Math.min(maxX, px * sx - left - 0.5));
      const y = Math.max(0, Math.min(maxY, py * sy - top - 0.5));
      const x0 = x | 0;
      const y0 = y | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = x - x0;
      const fy = y - y0;
      const a = (y0 * regW + x0) * 3;
      const b = (y0 * regW + x1) * 3;
      const c = (y1 * regW + x0) * 3;
      const d = (y1 * regW + x1) * 3;
      const o = i * 3;
      for (let k = 0; k < 3; k++) {
        const top0 = region[a + k]! + (region[b + k]! - region[a + k]!) * fx;
        const bot0 = region[c + k]! + (region[d + k]! - region[c + k]!) * fx;
        rgb[o + k] = top0 + (bot0 - top0) * fy + 0.5;
      }
    }
  }
  return { rgb, width: cw, height: ch, coverage, padded };
}
