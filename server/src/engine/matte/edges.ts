// Edge refinement and decontamination: a local colour model of the foreground and background
// around each block, against which semi-transparent pixels get their alpha and colour re-estimated,
// and every edge pixel its background's colour spill removed.

import { boxBlur } from "../filters";
import { bilinearCell, bilinearRow, bilinearTaps, type BilinearCell } from "../sampling";
import { smoothstep } from "../smoothstep";
import { tempF32 } from "../temporaries";
import { despill, spillBlocks } from "./despill";
import { CLEAR, gridSize, MIXED, SOLID, SUB, type GuidePlanes } from "./grid";

/** Window for the local foreground/background colour estimates, at working resolution. */
const COLOUR_RADIUS = 5;
/** Local foreground/background contrast (8-bit RGB distance) below which colours cannot place
 * an edge, and above which the colour estimate of alpha is fully trusted. */
const EDGE_CONTRAST: readonly [number, number] = [18, 60];
/** Slope of the alpha ramp (around 0.5) where colours cannot place the edge. */
const LOW_CONTRAST_STEEPNESS = 3;
/** With contrast, alpha ≤ cap[0] + cap[1] × (alpha estimated from the local colours). */
const BACKGROUND_CAP: readonly [number, number] = [0.1, 2];

/** Local colour estimates at block resolution: foreground and background mean colours (RGB
 * planes) and how far each can be trusted. */
interface ColourModel {
  fg: [Float32Array, Float32Array, Float32Array];
  bg: [Float32Array, Float32Array, Float32Array];
  /** How far each block's mean can be trusted, 0..1 (`presence`). */
  fPresence: Float32Array;
  bPresence: Float32Array;
}

/** Local colour model: confident foreground (α > 0.9) and background (α < 0.1) colours summed
 * per block (uniform blocks vote with their mean colour, the guide, without a pixel loop) and
 * blurred over COLOUR_RADIUS blocks into local means. Fills `alphaSmall` on the way. */
export function colourModel(
  rgb: Uint8Array,
  alpha: Float32Array,
  w: number,
  h: number,
  guide: GuidePlanes,
  blockClass: Uint8Array,
  alphaSmall: Float32Array,
): ColourModel {
  const { width: sw, height: sh } = gridSize(w, h);
  const n = sw * sh;
  // Synchronous: the planes are module temporaries (zeroed here; blurs write whole planes).
  const plane = (key: string) => tempF32(`decon.${key}`, n).fill(0, 0, n);
  const votes: Votes = {
    fgWeight: plane("fw"),
    fgSum: [plane("f0"), plane("f1"), plane("f2")],
    bgWeight: plane("bw"),
    bgSum: [plane("b0"), plane("b1"), plane("b2")],
    alphaSmall,
  };
  sumUniformBlocks(guide, blockClass, votes);
  sumMixedBlocks(rgb, alpha, w, sw, sh, blockClass, votes);
  const { fgWeight, fgSum, bgWeight, bgSum } = votes;
  const blur = (src: Float32Array, key: string) =>
    boxBlur(src, sw, sh, COLOUR_RADIUS, tempF32(`decon.blur.${key}`, n));
  const fw = blur(fgWeight, "fw");
  const bw = blur(bgWeight, "bw");
  const fg = fgSum.map((s, k) => normalise(blur(s, `f${k}`), fw, n)) as ColourModel["fg"];
  const bg = bgSum.map((s, k) => normalise(blur(s, `b${k}`), bw, n)) as ColourModel["bg"];
  return { fg, bg, fPresence: presence(fw, n), bPresence: presence(bw, n) };
}

/** Per block: the count and colour sums of confident foreground and background pixels, and the
 * mean opacity. */
interface Votes {
  fgWeight: Float32Array;
  fgSum: [Float32Array, Float32Array, Float32Array];
  bgWeight: Float32Array;
  bgSum: [Float32Array, Float32Array, Float32Array];
  alphaSmall: Float32Array;
}

/** Uniform blocks vote with their mean colour (the guide) and all their pixels. */
function sumUniformBlocks(
  [g0, g1, g2]: Readonly<GuidePlanes>,
  blockClass: Uint8Array,
  { fgWeight, fgSum: [f0, f1, f2], bgWeight, bgSum: [b0, b1, b2], alphaSmall }: Votes,
): void {
  const blockPixels = SUB * SUB;
  const solid = SOLID,
    clear = CLEAR; // locals for the loop (grid.ts)
  for (let j = 0; j < blockClass.length; j++) {
    const cls = blockClass[j]!;
    if (cls === solid) {
      fgWeight[j] = blockPixels;
      f0[j] = g0[j]! * 255 * blockPixels;
      f1[j] = g1[j]! * 255 * blockPixels;
      f2[j] = g2[j]! * 255 * blockPixels;
      alphaSmall[j] = 1;
    } else if (cls === clear) {
      bgWeight[j] = blockPixels;
      b0[j] = g0[j]! * 255 * blockPixels;
      b1[j] = g1[j]! * 255 * blockPixels;
      b2[j] = g2[j]! * 255 * blockPixels;
      alphaSmall[j] = 0;
    }
  }
}

/** In MIXED blocks only confident pixels vote, so the estimates are not mixtures themselves. */
function sumMixedBlocks(
  rgb: Uint8Array,
  alpha: Float32Array,
  w: number,
  sw: number,
  sh: number,
  blockClass: Uint8Array,
  { fgWeight, fgSum: [fs0, fs1, fs2], bgWeight, bgSum: [bs0, bs1, bs2], alphaSmall }: Votes,
): void {
  const sub = SUB,
    mixed = MIXED; // locals for the loops (grid.ts)
  for (let by = 0; by < sh; by++) {
    for (let bx = 0; bx < sw; bx++) {
      const j = by * sw + bx;
      if (blockClass[j] !== mixed) continue;
      let sumA = 0;
      let nf = 0,
        f0 = 0,
        f1 = 0,
        f2 = 0,
        nb = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0;
      for (let y = by * sub; y < by * sub + sub; y++) {
        for (let x = bx * sub, i = y * w + x; x < bx * sub + sub; x++, i++) {
          const al = alpha[i]!;
          sumA += al;
          const o = i * 3;
          if (al > 0.9) {
            nf++;
            f0 += rgb[o]!;
            f1 += rgb[o + 1]!;
            f2 += rgb[o + 2]!;
          } else if (al < 0.1) {
            nb++;
            b0 += rgb[o]!;
            b1 += rgb[o + 1]!;
            b2 += rgb[o + 2]!;
          }
        }
      }
      fgWeight[j] = nf;
      fs0[j] = f0;
      fs1[j] = f1;
      fs2[j] = f2;
      bgWeight[j] = nb;
      bs0[j] = b0;
      bs1[j] = b1;
      bs2[j] = b2;
      alphaSmall[j] = sumA / (sub * sub);
    }
  }
}

/** `sums / weight` in place (the first `n`): local mean colours, 0 where no confident pixel is near. */
function normalise(sums: Float32Array, weight: Float32Array, n: number): Float32Array {
  for (let j = 0; j < n; j++) sums[j] = weight[j]! > 1e-3 ? sums[j]! / weight[j]! : 0;
  return sums;
}

/** Confident pixels per block, averaged over the colour model's window, at which a local mean is
 * fully trusted; below, it counts for less, down to nothing where no pixel is near. A 0/1 flag
 * here made edge refinement switch on and off along block edges (4-px steps in soft regions). */
const FULL_PRESENCE = 0.25;

/** How far the local means from `weight` (the first `n`) can be trusted, 0..1. */
function presence(weight: Float32Array, n: number): Float32Array {
  const trust = new Float32Array(n);
  for (let j = 0; j < n; j++) trust[j] = smoothstep(0, FULL_PRESENCE, weight[j]!);
  return trust;
}

/**
 * Edge refinement and decontamination of the semi-transparent pixels (all in MIXED blocks) from
 * the local colour model, sampled bilinearly (pixel-centre aligned, so nothing steps at block
 * edges). Decontamination re-estimates the colour: with I = αF + (1-α)B and the local foreground
 * and background means, F = (I - (1-α)B)/α, blended towards the local foreground mean where α is
 * too small for the division to be trusted. Every pixel of the subject in MIXED blocks, opaque or
 * not, is then despilled against the same means (`despill.ts`).
 */
export function refineEdges(
  rgb: Uint8Array,
  out: Uint8Array,
  alpha: Float32Array,
  w: number,
  h: number,
  blockClass: Uint8Array,
  { fg, bg, fPresence, bPresence }: ColourModel,
): void {
  const { width: sw, height: sh } = gridSize(w, h);
  const columns = bilinearTaps(w, sw, 1 / SUB);
  const F = new Float64Array(3);
  const B = new Float64Array(3);
  const spill = spillBlocks(bg, sw, sh);
  const sub = SUB,
    mixed = MIXED; // locals for the loops (grid.ts)
  for (let y = 0; y < h; y++) {
    const brow = Math.min(sh - 1, (y / sub) | 0) * sw;
    const row = bilinearRow(y, sh, sw, 1 / sub);
    for (let bx = 0; bx * sub < w; bx++) {
      const block = brow + Math.min(sw - 1, bx);
      if (blockClass[block] !== mixed) continue;
      const spilled = spill !== null && spill[block] === 1;
      for (let x = bx * sub, xEnd = Math.min(w, bx * sub + sub); x < xEnd; x++) {
        const i = y * w + x;
        let al = alpha[i]!;
        if (al <= 0.01 || (al >= 0.99 && !spilled)) continue;
        const o = i * 3;
        const cell = bilinearCell(row, columns, x);
        // Refinement needs both local means; it fades in with the less present of them.
        const strength = Math.min(
          sampleModel(F, fg, fPresence, cell, rgb, o),
          sampleModel(B, bg, bPresence, cell, rgb, o),
        );
        if (al >= 0.99) {
          despill(out, o, F, B, strength);
          continue;
        }
        if (strength > 0) {
          // Edge refinement against the local colour model. With enough contrast between the local
          // foreground and background, a pixel that looks like the background cannot be opaque
          // (no light slivers past a dark rim); without contrast, colours cannot place the edge
          // and the guided filter's soft ramp is only a smudge, so it is made steeper.
          const d0 = F[0]! - B[0]!,
            d1 = F[1]! - B[1]!,
            d2 = F[2]! - B[2]!;
          const dd = d0 * d0 + d1 * d1 + d2 * d2;
          const conf = smoothstep(EDGE_CONTRAST[0], EDGE_CONTRAST[1], Math.sqrt(dd));
          const hard = Math.min(1, Math.max(0, (al - 0.5) * LOW_CONTRAST_STEEPNESS + 0.5));
          let refined = hard;
          if (conf > 0) {
            const ac =
              ((rgb[o]! - B[0]!) * d0 + (rgb[o + 1]! - B[1]!) * d1 + (rgb[o + 2]! - B[2]!) * d2) / dd;
            refined =
              conf * Math.min(al, BACKGROUND_CAP[0] + BACKGROUND_CAP[1] * Math.max(0, ac)) +
              (1 - conf) * hard;
          }
          al += (refined - al) * strength;
          alpha[i] = al;
          if (al <= 0.01) continue;
          if (al >= 0.99) {
            if (spilled) despill(out, o, F, B, strength);
            continue;
          }
        }
        const trust = Math.min(1, Math.max(0, (al - 0.15) / 0.5));
        for (let k = 0; k < 3; k++) {
          const solved = (rgb[o + k]! - (1 - al) * B[k]!) / Math.max(al, 0.05);
          const v = trust * solved + (1 - trust) * F[k]!;
          out[o + k] = v < 0 ? 0 : v > 255 ? 255 : v + 0.5;
        }
        if (spilled) despill(out, o, F, B, strength);
      }
    }
  }
}

/**
 * The local mean at a pixel, from the four blocks of its bilinear `cell`, each weighted by
 * its presence, into `dst`, blended towards the pixel's own colour `own` as far as the means are
 * missing. Returns how present they are, 0..1: smooth in the image, like the blend.
 */
function sampleModel(
  dst: Float64Array,
  planes: readonly [Float32Array, Float32Array, Float32Array],
  presence: Float32Array,
  { i00, i01, i10, i11, w00, w01, w10, w11 }: BilinearCell,
  own: Uint8Array,
  o: number,
): number {
  const a = presence[i00]! * w00,
    b = presence[i01]! * w01,
    c = presence[i10]! * w10,
    d = presence[i11]! * w11;
  const sum = a + b + c + d;
  // sum × (the presence-weighted mean) + (1 − sum) × own, the mean's division cancelled.
  for (let k = 0; k < 3; k++) {
    const p = planes[k]!;
    dst[k] = p[i00]! * a + p[i01]! * b + p[i10]! * c + p[i11]! * d + (1 - sum) * own[o + k]!;
  }
  return sum;
}
