// Step 5: cast neutralisation that is skin-aware, and subtle skin smoothing. Skin tone is
// protected: the correction keeps the face's mean luminance and stays inside the natural skin
// chroma range, and smoothing only lowers small-amplitude texture on skin-coloured pixels.

import type { Point } from "./geometry";
import { boxBlur } from "./filters";
import { tempF32 } from "./temporaries";

/** Share of the measured cast that is removed: a full grey-world correction looks clinical. */
const WB_STRENGTH = 0.7;
/** Largest per-channel gain (and its inverse): deliberate colour is not a cast. */
const MAX_GAIN = 1.18;
/** A pixel is a grey-surface candidate when its chroma is below this share of its luma. */
const NEUTRAL_CHROMA = 0.22;
/** Skin chroma in YCbCr (BT.601, 8-bit offsets) covering all skin tones under neutral light. */
const SKIN_CB: readonly [number, number] = [77, 127];
const SKIN_CR: readonly [number, number] = [133, 173];
/** How much small-amplitude skin texture is removed (0 = none). */
const SMOOTHING = 0.4;
/** Texture amplitude (8-bit) above which detail is kept whole: pores go, features stay. */
const DETAIL_KEEP = 14;

export type Gains = [number, number, number];

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
const cb = (r: number, g: number, b: number) => 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
const cr = (r: number, g: number, b: number) => 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;

/** Distance in the CbCr plane from the skin chroma box (0 inside it). */
function skinDistance(r: number, g: number, b: number): number {
  const u = cb(r, g, b);
  const v = cr(r, g, b);
  const du = Math.max(0, SKIN_CB[0] - u, u - SKIN_CB[1]);
  const dv = Math.max(0, SKIN_CR[0] - v, v - SKIN_CR[1]);
  return Math.hypot(du, dv);
}

/** Inside the skin chroma box (same as skinDistance(...) === 0, without the square root). */
function isSkin(r: number, g: number, b: number): boolean {
  const u = cb(r, g, b);
  if (u < SKIN_CB[0] || u > SKIN_CB[1]) return false;
  const v = cr(r, g, b);
  return v >= SKIN_CR[0] && v <= SKIN_CR[1];
}

/** Mean colour of small patches around skin points (cheeks, forehead) of the canvas. */
export function sampleSkin(
  rgb: Uint8Array,
  w: number,
  h: number,
  points: Point[],
  radius: number,
): Gains | null {
  let r = 0,
    g = 0,
    b = 0,
    n = 0;
  const rad = Math.max(2, Math.round(radius));
  for (const p of points) {
    for (let y = Math.max(0, Math.round(p.y) - rad); y <= Math.min(h - 1, Math.round(p.y) + rad); y++) {
      for (let x = Math.max(0, Math.round(p.x) - rad); x <= Math.min(w - 1, Math.round(p.x) + rad); x++) {
        const o = (y * w + x) * 3;
        r += rgb[o]!;
        g += rgb[o + 1]!;
        b += rgb[o + 2]!;
        n++;
      }
    }
  }
  return n ? [r / n, g / n, b / n] : null;
}

/**
 * White-balance gains from the near-grey surfaces of the scene (clothes, walls; skin excluded),
 * limited so the face stays within natural skin chroma, normalised to keep the face's luminance.
 */
export function whiteBalanceGains(rgb: Uint8Array, skin: Gains | null): Gains {
  let r = 0,
    g = 0,
    b = 0,
    n = 0;
  // Every 4th pixel is plenty for a mean.
  for (let o = 0; o < rgb.length; o += 12) {
    const R = rgb[o]!,
      G = rgb[o + 1]!,
      B = rgb[o + 2]!;
    const y = luma(R, G, B);
    if (y < 40 || y > 235) continue;
    const chroma = Math.max(R, G, B) - Math.min(R, G, B);
    if (chroma > NEUTRAL_CHROMA * y || isSkin(R, G, B)) continue;
    r += R;
    g += G;
    b += B;
    n++;
  }
  if (n < rgb.length / 12 / 50) return [1, 1, 1];
  const grey = (r + g + b) / 3;
  const clamp = (x: number) => Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, x));
  const full: Gains = [clamp(grey / r), clamp(grey / g), clamp(grey / b)];
  const withStrength = (t: number): Gains => full.map((x) => Math.pow(x, WB_STRENGTH * t)) as Gains;
  let gains = withStrength(1);
  if (skin) {
    // Back off until the correction does not move the face away from natural skin colours.
    const before = skinDistance(...skin);
    for (let t = 1; t > 0; t -= 0.1) {
      gains = withStrength(t);
      if (skinDistance(skin[0] * gains[0], skin[1] * gains[1], skin[2] * gains[2]) <= before) break;
      gains = [1, 1, 1];
    }
    const keep = luma(...skin) / luma(skin[0] * gains[0], skin[1] * gains[1], skin[2] * gains[2]);
    gains = gains.map((x) => x * keep) as Gains;
  }
  return gains;
}

/**
 * Frequency-separation smoothing inside the face ellipse: the image is split into a blurred base
 * and detail; small detail on skin-coloured pixels is reduced, edges (eyes, brows, lips) are kept.
 */
export function smoothSkin(rgb: Uint8Array, w: number, h: number, face: Ellipse): void {
  const x0 = Math.max(0, Math.floor(face.cx - face.rx));
  const x1 = Math.min(w, Math.ceil(face.cx + face.rx));
  const y0 = Math.max(0, Math.floor(face.cy - face.ry));
  const y1 = Math.min(h, Math.ceil(face.cy + face.ry));
  const box = { x0, y0, width: x1 - x0, height: y1 - y0 };
  if (box.width < 8 || box.height < 8) return;
  const radius = Math.max(2, Math.round(face.rx * 0.02));
  // Synchronous: the planes are module temporaries (only the first width × height values are used).
  const n = box.width * box.height;
  const channels = [0, 1, 2].map((k) => tempF32(`skin.plane${k}`, n)) as Planes;
  splitChannels(rgb, w, box, channels);
  const mid = tempF32("skin.mid", n);
  // Two box passes approximate a Gaussian.
  const base = channels.map((c, k) =>
    boxBlur(
      boxBlur(c, box.width, box.height, radius, mid),
      box.width,
      box.height,
      radius,
      tempF32(`skin.base${k}`, n),
    ),
  ) as Planes;
  reduceDetail(rgb, w, face, box, base);
}

interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}
type Box = { x0: number; y0: number; width: number; height: number };
type Planes = [Float32Array, Float32Array, Float32Array];

/** The `box` of interleaved RGB `rgb` (`w` pixels wide) as three planes. */
function splitChannels(rgb: Uint8Array, w: number, box: Box, [c0, c1, c2]: Planes): void {
  for (let y = 0, j = 0; y < box.height; y++) {
    for (let o = ((y + box.y0) * w + box.x0) * 3, end = o + box.width * 3; o < end; o += 3, j++) {
      c0[j] = rgb[o]!;
      c1[j] = rgb[o + 1]!;
      c2[j] = rgb[o + 2]!;
    }
  }
}

/** Moves skin pixels inside the ellipse towards the blurred `base` (planes over `box`). */
function reduceDetail(rgb: Uint8Array, w: number, face: Ellipse, box: Box, [b0, b1, b2]: Planes): void {
  for (let y = 0; y < box.height; y++) {
    const ny = (y + box.y0 - face.cy) / face.ry;
    for (let x = 0; x < box.width; x++) {
      const nx = (x + box.x0 - face.cx) / face.rx;
      const d = nx * nx + ny * ny;
      if (d >= 1) continue;
      const o = ((y + box.y0) * w + x + box.x0) * 3;
      const R = rgb[o]!,
        G = rgb[o + 1]!,
        B = rgb[o + 2]!;
      if (!isSkin(R, G, B)) continue;
      const j = y * box.width + x;
      const base0 = b0[j]!,
        base1 = b1[j]!,
        base2 = b2[j]!;
      const detail = Math.max(Math.abs(R - base0), Math.abs(G - base1), Math.abs(B - base2));
      if (detail >= DETAIL_KEEP) continue;
      // Fade out towards the ellipse's rim and for larger detail.
      const k = SMOOTHING * (1 - d * d) * (1 - detail / DETAIL_KEEP);
      rgb[o] = R + (base0 - R) * k + 0.5;
      rgb[o + 1] = G + (base1 - G) * k + 0.5;
      rgb[o + 2] = B + (base2 - B) * k + 0.5;
    }
  }
}
