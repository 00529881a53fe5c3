// Step 5: cast neutralisation that is skin-aware, and subtle skin smoothing. Skin tone is
// protected: the correction keeps the face's mean luminance and stays inside the natural skin
// chroma range, and smoothing only lowers small-amplitude texture on skin-coloured pixels.

import type { Point } from "./geometry";
import type { Iris } from "./face-detector";
import type { Style } from "@headshot/shared";
import { boxBlur } from "./filters";
import { tempF32 } from "./temporaries";
import { smoothstep } from "./smoothstep";

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
/** Mean skin texture (8-bit) below which the source counts as soft and is not smoothed, and
 * above which it is smoothed at full strength. */
const SOFT_DETAIL: readonly [number, number] = [1.5, 3.5];
/** Share of the skin's uneven chroma (from mixed light) removed. */
const CAST_EVENING = 0.7;
/** Face exposure: backdrops this bright (luma: high-key white, warm beige) lift a face darker
 * than FACE_ON_BRIGHT of their luma, by at most MAX_LIFT; highlights are held under
 * HIGHLIGHT_CEILING by an exposure cut of at most MAX_CUT. */
const BRIGHT_BACKDROP = 200;
const FACE_ON_BRIGHT = 0.5;
const MAX_LIFT = 1.25;
const HIGHLIGHT_CEILING = 245;
const MAX_CUT = 0.9;
/** Red-eye: looked for within this many iris radii of its centre, in pixels whose red exceeds
 * this multiple of their green and blue and this level. */
const RED_EYE_REACH = 1.3;
const RED_EYE_RATIO = 1.6;
const RED_EYE_MIN = 60;

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
  const box = boxOf(face, w, h);
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
  // A soft source (enlarged, out of focus, already retouched) has little texture left: smoothing
  // it more would make it waxy, so the strength follows the texture the face still has.
  const strength =
    SMOOTHING * smoothstep(SOFT_DETAIL[0], SOFT_DETAIL[1], meanDetail(rgb, w, face, box, base));
  if (strength > 0) reduceDetail(rgb, w, face, box, base, strength);
}

/** Mean small-scale detail (largest channel's |pixel − base|, below DETAIL_KEEP) of the skin
 * pixels inside the ellipse: how much texture the face has. */
function meanDetail(rgb: Uint8Array, w: number, face: Ellipse, box: Box, [b0, b1, b2]: Planes): number {
  let [sum, n] = [0, 0];
  forSkinInEllipse(rgb, w, face, box, null, (o, j) => {
    const detail = Math.max(
      Math.abs(rgb[o]! - b0[j]!),
      Math.abs(rgb[o + 1]! - b1[j]!),
      Math.abs(rgb[o + 2]! - b2[j]!),
    );
    if (detail >= DETAIL_KEEP) return;
    sum += detail;
    n++;
  });
  return n ? sum / n : 0;
}

/** Calls `f(offset, j, d)` for each skin-coloured pixel inside the ellipse (and of the subject,
 * alpha ≥ 0.5, when `alpha` is given): its byte offset in `rgb`, its index in the `box` planes and
 * its squared distance from the centre in ellipse radii. */
function forSkinInEllipse(
  rgb: Uint8Array,
  w: number,
  face: Ellipse,
  box: Box,
  alpha: Float32Array | null,
  f: (o: number, j: number, d: number) => void,
): void {
  for (let y = 0; y < box.height; y++) {
    const ny = (y + box.y0 - face.cy) / face.ry;
    for (let x = 0; x < box.width; x++) {
      const nx = (x + box.x0 - face.cx) / face.rx;
      const d = nx * nx + ny * ny;
      if (d >= 1) continue;
      const i = (y + box.y0) * w + x + box.x0;
      if (alpha && alpha[i]! < 0.5) continue;
      const o = i * 3;
      if (isSkin(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!)) f(o, y * box.width + x, d);
    }
  }
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
function reduceDetail(
  rgb: Uint8Array,
  w: number,
  face: Ellipse,
  box: Box,
  [b0, b1, b2]: Planes,
  strength: number,
): void {
  forSkinInEllipse(rgb, w, face, box, null, (o, j, d) => {
    const R = rgb[o]!,
      G = rgb[o + 1]!,
      B = rgb[o + 2]!;
    const base0 = b0[j]!,
      base1 = b1[j]!,
      base2 = b2[j]!;
    const detail = Math.max(Math.abs(R - base0), Math.abs(G - base1), Math.abs(B - base2));
    if (detail >= DETAIL_KEEP) return;
    // Fade out towards the ellipse's rim and for larger detail.
    const k = strength * (1 - d * d) * (1 - detail / DETAIL_KEEP);
    rgb[o] = R + (base0 - R) * k + 0.5;
    rgb[o + 1] = G + (base1 - G) * k + 0.5;
    rgb[o + 2] = B + (base2 - B) * k + 0.5;
  });
}

/**
 * Local cast removal on the face's skin (mixed light: a window on one cheek, a coloured lamp on the
 * other). The skin's chroma (Cb, Cr), averaged over patches a tenth of the face wide, is pulled
 * towards the face's own mean chroma by CAST_EVENING; luma is untouched, and so is the mean: the
 * face keeps its skin tone, only uneven colour from the light goes.
 */
export function evenSkinCast(
  rgb: Uint8Array,
  alpha: Float32Array,
  w: number,
  h: number,
  face: Ellipse,
): void {
  const box = boxOf(face, w, h);
  if (box.width < 8 || box.height < 8) return;
  const n = box.width * box.height;
  const [u, v, weight] = ["cast.u", "cast.v", "cast.w"].map((k) => tempF32(k, n).fill(0, 0, n)) as Planes;
  let [su, sv, count] = [0, 0, 0];
  forSkinInEllipse(rgb, w, face, box, alpha, (o, j) => {
    const [R, G, B] = [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!];
    u[j] = cb(R, G, B);
    v[j] = cr(R, G, B);
    weight[j] = 1;
    su += u[j]!;
    sv += v[j]!;
    count++;
  });
  if (count < n / 8) return;
  const [mu, mv] = [su / count, sv / count];
  const radius = Math.max(2, Math.round(face.rx * 0.1));
  const blur = (plane: Float32Array, key: string) =>
    boxBlur(plane, box.width, box.height, radius, tempF32(`cast.blur.${key}`, n));
  const [bu, bv, bw] = [blur(u, "u"), blur(v, "v"), blur(weight, "w")];
  // Each pixel's offset from the face's mean chroma (fading towards the rim), then less the
  // offsets' own mean, so the face's mean chroma stays exactly where it was.
  let [ou, ov, corrected] = [0, 0, 0];
  forSkinInEllipse(rgb, w, face, box, alpha, (_o, j, d) => {
    if (bw[j]! < 0.25) {
      weight[j] = 0;
      return;
    }
    const k = CAST_EVENING * (1 - d * d);
    u[j] = (bu[j]! / bw[j]! - mu) * k;
    v[j] = (bv[j]! / bw[j]! - mv) * k;
    ou += u[j]!;
    ov += v[j]!;
    corrected++;
  });
  if (corrected === 0) return;
  [ou, ov] = [ou / corrected, ov / corrected];
  forSkinInEllipse(rgb, w, face, box, alpha, (o, j) => {
    if (weight[j] === 0) return;
    const [du, dv] = [u[j]! - ou, v[j]! - ov];
    // Cb/Cr offsets back to RGB (BT.601), luma unchanged.
    const [R, G, B] = [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!];
    rgb[o] = clamp8(R - 1.402 * dv);
    rgb[o + 1] = clamp8(G + 0.344136 * du + 0.714136 * dv);
    rgb[o + 2] = clamp8(B - 1.772 * du);
  });
}

/**
 * Red-eye: inside each iris (1.3 × its radius), a pixel whose red stands well above its green and
 * blue (the flash's reflection off the retina) loses the excess red and becomes the dark pupil it
 * should be. An iris of any colour, and the skin around it, fail that test and stay as they are.
 */
export function removeRedEye(rgb: Uint8Array, w: number, h: number, irises: readonly Iris[]): void {
  for (const { centre, radius } of irises) {
    const r = radius * RED_EYE_REACH;
    for (let y = Math.max(0, Math.floor(centre.y - r)); y <= Math.min(h - 1, Math.ceil(centre.y + r)); y++) {
      for (
        let x = Math.max(0, Math.floor(centre.x - r));
        x <= Math.min(w - 1, Math.ceil(centre.x + r));
        x++
      ) {
        const d = Math.hypot(x + 0.5 - centre.x, y + 0.5 - centre.y) / r;
        if (d >= 1) continue;
        const o = (y * w + x) * 3;
        const [R, G, B] = [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!];
        const other = Math.max(G, B);
        const redness = R - RED_EYE_RATIO * other;
        if (redness <= 0 || R < RED_EYE_MIN) continue;
        // Fully at a clearly red pixel, fading in from the threshold and out at the rim.
        const k = Math.min(1, redness / 40) * (1 - smoothstep(0.8, 1, d));
        const pupil = (G + B) / 2;
        rgb[o] = clamp8(R + (pupil - R) * k);
      }
    }
  }
}

function boxOf(face: Ellipse, w: number, h: number): Box {
  const x0 = Math.max(0, Math.floor(face.cx - face.rx));
  const x1 = Math.min(w, Math.ceil(face.cx + face.rx));
  const y0 = Math.max(0, Math.floor(face.cy - face.ry));
  const y1 = Math.min(h, Math.ceil(face.cy + face.ry));
  return { x0, y0, width: x1 - x0, height: y1 - y0 };
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v + 0.5);

/**
 * The subject's exposure for one style, matched to its backdrop (a photographer's fill light, not
 * a change of skin tone: every channel scales alike). A face much darker than a bright backdrop is
 * lifted, by the square root of what would bring it to FACE_ON_BRIGHT of the backdrop, at most
 * MAX_LIFT; on any backdrop the subject's highlights (`highlight`, the subject's 99th-percentile
 * luma) stay below HIGHLIGHT_CEILING after the style's own grade, so a bright face on low-key
 * dark is not blown. `face` is the face's mean colour after white balance.
 */
export function faceExposure(face: Gains, highlight: number, style: Style): number {
  const { exposure } = style.grade;
  const faceLuma = luma(...face) * exposure;
  const backdrop = luma(...style.backdrop.center);
  let gain = 1;
  if (backdrop >= BRIGHT_BACKDROP && faceLuma > 0 && faceLuma < FACE_ON_BRIGHT * backdrop) {
    gain = Math.min(MAX_LIFT, Math.sqrt((FACE_ON_BRIGHT * backdrop) / faceLuma));
  }
  // The style's exposure and contrast (out = c·e·gain·x + 128·(1 − c)) and the lift must not push
  // the subject's highlights past the ceiling; to keep them, the exposure is cut by MAX_CUT at
  // most (highlights the photo itself clipped cannot be brought back, only not made wider).
  const { contrast: c } = style.grade;
  const ceiling = (HIGHLIGHT_CEILING - 128 * (1 - c)) / (c * exposure * Math.max(1, highlight));
  return Math.min(gain, Math.max(ceiling, MAX_CUT));
}

/** The 99th-percentile luma of the opaque subject (alpha ≥ 0.9, every 4th pixel) after `gains`. */
export function subjectHighlight(rgb: Uint8Array, alpha: Float32Array, gains: Gains): number {
  const histogram = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < alpha.length; i += 4) {
    if (alpha[i]! < 0.9) continue;
    const o = i * 3;
    const y = Math.min(
      255,
      Math.round(luma(rgb[o]! * gains[0], rgb[o + 1]! * gains[1], rgb[o + 2]! * gains[2])),
    );
    histogram[y]!++;
    n++;
  }
  let seen = 0;
  for (let y = 255; y >= 0; y--) {
    seen += histogram[y]!;
    if (seen >= n * 0.01) return y;
  }
  return 0;
}
