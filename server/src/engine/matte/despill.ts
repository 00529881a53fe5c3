// Colour spill: light from a strongly coloured background (a blue or green screen, a painted
// wall) bounced onto the subject's edge tints hair and shoulders even where they are opaque, so
// decontamination (which solves only semi-transparent pixels) leaves a coloured rim. Near the
// edge, a pixel whose chroma leans further towards the background's hue than the local foreground
// does has that excess taken out, its luma kept.

import { cb, clamp8, cr } from "../colour/space";
import { smoothstep } from "../smoothstep";

/** Background chroma (distance from grey in the CbCr plane, 8-bit units) over which spill is
 * removed: a grey or beige backdrop casts no hue worth removing (ramp). */
const SPILL_CHROMA: readonly [number, number] = [12, 28];

/**
 * Per block of the colour model, whether despill can act there: its background mean, or one of
 * its 8 neighbours' (a pixel's bilinear sample reaches them), is coloured past SPILL_CHROMA's
 * start. Null when no block is: the photo has no coloured background.
 */
export function spillBlocks(
  [b0, b1, b2]: readonly [Float32Array, Float32Array, Float32Array],
  sw: number,
  sh: number,
): Uint8Array | null {
  const coloured = new Uint8Array(sw * sh);
  const least = SPILL_CHROMA[0] * SPILL_CHROMA[0];
  let any = false;
  for (let j = 0; j < sw * sh; j++) {
    const [u, v] = [cb(b0[j]!, b1[j]!, b2[j]!) - 128, cr(b0[j]!, b1[j]!, b2[j]!) - 128];
    if (u * u + v * v < least) continue;
    any = true;
    const x = j % sw;
    const y = (j - x) / sw;
    for (let yy = Math.max(0, y - 1); yy <= Math.min(sh - 1, y + 1); yy++)
      coloured.fill(1, yy * sw + Math.max(0, x - 1), yy * sw + Math.min(sw - 1, x + 1) + 1);
  }
  return any ? coloured : null;
}

/**
 * Despills the colour at `out[o..o+2]` against the local foreground mean `F` and background mean
 * `B` (RGB), as far as `strength` (0..1, how far the local means can be trusted).
 */
export function despill(
  out: Uint8Array,
  o: number,
  F: Float64Array,
  B: Float64Array,
  strength: number,
): void {
  const [bu, bv] = [cb(B[0]!, B[1]!, B[2]!) - 128, cr(B[0]!, B[1]!, B[2]!) - 128];
  const chroma = Math.hypot(bu, bv);
  const gate = strength * smoothstep(SPILL_CHROMA[0], SPILL_CHROMA[1], chroma);
  if (gate <= 0) return;
  const [r, g, b] = [out[o]!, out[o + 1]!, out[o + 2]!];
  // How much further along the background's hue the pixel is than the local foreground.
  const [ux, uy] = [bu / chroma, bv / chroma];
  const excess = (cb(r, g, b) - cb(F[0]!, F[1]!, F[2]!)) * ux + (cr(r, g, b) - cr(F[0]!, F[1]!, F[2]!)) * uy;
  if (excess <= 0) return;
  // Back along the hue in the CbCr plane; the BT.601 inverse keeps the luma.
  const [du, dv] = [-gate * excess * ux, -gate * excess * uy];
  out[o] = clamp8(r + 1.402 * dv);
  out[o + 1] = clamp8(g - 0.344136 * du - 0.714136 * dv);
  out[o + 2] = clamp8(b + 1.772 * du);
}
