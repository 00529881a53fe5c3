// White balance and exposure (SPEC §7.2 step 5): a cast measured on the scene's near-grey surfaces
// and removed, skin-aware; per style, the subject's exposure matched to the backdrop. Both scale
// every channel of a pixel alike where they apply: neither changes a skin tone's hue.

import type { Style } from "@headshot/shared";
import type { Point } from "../geometry";
import { isSkin, luma, skinDistance, type Rgb } from "./space";

/** Share of the measured cast that is removed: a full grey-world correction looks clinical. */
const WB_STRENGTH = 0.7;
/** Largest per-channel gain (and its inverse): deliberate colour is not a cast. */
const MAX_GAIN = 1.18;
/** A pixel is a grey-surface candidate when its chroma is below this share of its luma. */
const NEUTRAL_CHROMA = 0.22;
/** Face exposure: backdrops this bright (luma: high-key white, warm beige) lift a face darker
 * than FACE_ON_BRIGHT of their luma, by at most MAX_LIFT; highlights are held under
 * HIGHLIGHT_CEILING by an exposure cut of at most MAX_CUT. */
const BRIGHT_BACKDROP = 200;
const FACE_ON_BRIGHT = 0.5;
const MAX_LIFT = 1.25;
const HIGHLIGHT_CEILING = 245;
const MAX_CUT = 0.9;

export type Gains = Rgb;

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
  if (skin && luma(...skin) > 0) {
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

/** The 99th-percentile luma of the opaque subject (alpha ≥ 0.9, every 16th pixel: plenty for a
 * percentile of a megapixel canvas) after `gains`. */
export function subjectHighlight(rgb: Uint8Array, alpha: Float32Array, gains: Gains): number {
  const histogram = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < alpha.length; i += 16) {
    if (alpha[i]! < 0.9) continue;
    const o = i * 3;
    const y = Math.min(
      255,
      Math.round(luma(rgb[o]! * gains[0], rgb[o + 1]! * gains[1], rgb[o + 2]! * gains[2])),
    );
    histogram[y]!++;
    n++;
  }
  if (n === 0) return 0;
  let seen = 0;
  for (let y = 255; y >= 0; y--) {
    seen += histogram[y]!;
    if (seen >= n * 0.01) return y;
  }
  return 0;
}
