// Step 4: the person matte. The Selfie model's coarse 256² mask is refined against the photo with
// a colour guided filter (He et al., "fast" variant: coefficients at quarter resolution, applied
// at full resolution); islands apart from the subject are dropped, and edge pixels are
// decontaminated so no old background colour remains. The quarter-resolution half (`matteGrid`)
// needs no canvas pixel and runs while libvips renders the canvas; `computeMatte` does the rest.

import { SEGMENT_SIZE } from "./segmenter";
import type { FramedCanvas } from "./source-image";
import { detachedBlocks } from "./fragments";
import { tempF32 } from "./temporaries";
import { boxBlur } from "./filters";
import { bilinearTaps, resizeBilinear } from "./sampling";

/** Working resolution of the filters, as a divisor of the canvas size. */
const SUB = 4;
/** Guided filter window radius (at working resolution) and regulariser. */
const GUIDE_RADIUS = 4;
const GUIDE_EPS = 1e-3;
/** Window for the local foreground/background colour estimates, at working resolution. */
const COLOUR_RADIUS = 5;
/** Matte values are re-stretched from this range to 0..1: softness stays for hair, the faint
 * fringe where the model is unsure (the usual source of halos) goes. */
const MATTE_LOW = 0.4;
const MATTE_HIGH = 0.85;
/** Margin of the clear/solid block shortcut against float rounding (matte units). */
const BLOCK_MARGIN = 1e-4;
/** Outside the core silhouette the model must be at least this sure (ramp) to keep a region. */
const OUTER_CONFIDENCE: readonly [number, number] = [0.75, 0.95];
/** Hair past the outline is the subject's up to this many head heights beyond it, above this
 * many head heights below the eyes (the head and the top of the shoulders), where the model is
 * this sure. */
const HAIR_REACH = 0.5;
const HAIR_ZONE = 1.2;
const HAIR_SURE = 0.8;
/** A pocket of the chest the model leans towards (model value ramp) is filled when the subject's
 * sure region encloses it, at most 2 × POCKET_REACH head heights across in both directions. */
const POCKET_LEAN: readonly [number, number] = [0.4, 0.6];
const POCKET_REACH = 0.3;
/** The prior's value from which a sample counts as the subject's sure region around a pocket. */
const POCKET_SURE = 0.9;
/** Pockets are filled only this many head heights below the eyes: the chest, not beside the neck. */
const POCKET_TOP = 1;
/** Local foreground/background contrast (8-bit RGB distance) below which colours cannot place
 * an edge, and above which the colour estimate of alpha is fully trusted. */
const EDGE_CONTRAST: readonly [number, number] = [18, 60];
/** Slope of the alpha ramp (around 0.5) where colours cannot place the edge. */
const LOW_CONTRAST_STEEPNESS = 3;
/** With contrast, alpha ≤ cap[0] + cap[1] × (alpha estimated from the local colours). */
const BACKGROUND_CAP: readonly [number, number] = [0.1, 2];

/** Where a person is, from their face: the eye midpoint on the canvas and the head height (chin
 * to crown) in canvas pixels. The canvas is levelled for the subject, so her outline is upright. */
export interface PersonPrior {
  eyeX: number;
  eyeY: number;
  head: number;
}

/** The subject's prior also follows their body, which may lean from the canvas' vertical by
 * `lean` (radians, the roll that would stand it upright less the canvas' roll). */
export interface SubjectPrior extends PersonPrior {
  lean?: number;
  neighbours?: readonly PersonPrior[];
}

export interface Matte {
  /** Subject opacity per canvas pixel. */
  alpha: Float32Array;
  /** Canvas colours with edge pixels replaced by their estimated pure foreground colour. */
  foreground: Uint8Array;
  /** Mean opacity per SUB×SUB block (`smallWidth` × `smallHeight`), for soft effects. */
  alphaSmall: Float32Array;
  smallWidth: number;
  smallHeight: number;
}

/** Block classes: every pixel transparent, every pixel opaque, or computed per pixel. */
const CLEAR = 0;
const SOLID = 1;
const MIXED = 2;

/** Colour planes (R, G, B in 0..1) on the matte's working grid: one sample per SUB×SUB block. */
export type GuidePlanes = [Float32Array, Float32Array, Float32Array];

/** The matte's low-resolution half: the guided filter's coefficients and the block classes. */
export interface MatteGrid {
  coefficients: [Float32Array, Float32Array, Float32Array, Float32Array];
  blockClass: Uint8Array;
}

/** The working grid's size for a canvas. */
export const gridSize = (width: number, height: number) => ({
  width: Math.floor(width / SUB),
  height: Math.floor(height / SUB),
});

/**
 * The matte's low-resolution half, for a `width` × `height` canvas: the model's coarse matte
 * (`coarse`, SEGMENT_SIZE² person probabilities over the canvas) under the subject prior, and the
 * guided filter's coefficients against `guide`. It reads no canvas pixel, so the pipeline runs it
 * on a guide levelled from the detection copy while libvips still renders the canvas.
 */
export function matteGrid(
  guide: GuidePlanes,
  coarse: Float32Array,
  width: number,
  height: number,
  prior?: SubjectPrior,
): MatteGrid {
  const { width: sw, height: sh } = gridSize(width, height);
  const p = resizeBilinear(coarse, SEGMENT_SIZE, SEGMENT_SIZE, sw, sh);
  if (prior) applySubjectPrior(p, sw, sh, SUB, prior);
  // Copied out of the module temporaries: the grid outlives the pipeline's next await.
  const coefficients = guidedCoefficients(guide, p, sw, sh).map((c) =>
    c.slice(0, sw * sh),
  ) as MatteGrid["coefficients"];

  // Where the interpolated coefficients cannot bring q = a·I + b (I in 0..1) inside the
  // stretched range, the whole block is known to be clear or solid without visiting its pixels.
  // Bounds use each block's 3×3 neighbourhood, which holds every coefficient it interpolates.
  const blockClass = new Uint8Array(sw * sh);
  if (width === sw * SUB && height === sh * SUB) classifyBlocks(blockClass, ...coefficients, sw, sh);
  else blockClass.fill(MIXED);
  return { coefficients, blockClass };
}

/** The canvas' colours on the matte's working grid (SUB×SUB block means). */
export function canvasGuide(canvas: FramedCanvas): GuidePlanes {
  return downsample(canvas.rgb, canvas.width, canvas.height);
}

/** Guide planes from a preview levelled onto the matte's working grid (interleaved 8-bit RGB). */
export function previewGuide(rgb: Uint8Array): GuidePlanes {
  const n = rgb.length / 3;
  const planes: GuidePlanes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    planes[0][i] = rgb[o]! / 255;
    planes[1][i] = rgb[o + 1]! / 255;
    planes[2][i] = rgb[o + 2]! / 255;
  }
  return planes;
}

/**
 * The matte's full-resolution half: the grid's coefficients applied to the canvas' own colours,
 * islands apart from the subject (whose eye midpoint is `eye`) dropped, edges refined. `guide` is
 * the canvas' own (`canvasGuide`) when the caller has it. The full-size planes are written into
 * `into` when given (reused buffers), else new arrays. The grid is used up (islands are marked
 * clear in its block classes).
 */
export function computeMatte(
  canvas: FramedCanvas,
  grid: MatteGrid,
  options: {
    eye?: { x: number; y: number };
    guide?: GuidePlanes;
    into?: { alpha: Float32Array; foreground: Uint8Array };
  } = {},
): Matte {
  const { width: w, height: h, rgb, coverage } = canvas;
  const { width: sw, height: sh } = gridSize(w, h);
  const { blockClass } = grid;
  const { eye, into } = options;

  // The coefficients are smooth, so they are interpolated up and applied to full-resolution
  // colours: the matte then follows full-resolution edges.
  const alpha = into?.alpha ?? new Float32Array(w * h);
  applyCoefficients(alpha, rgb, w, h, grid.coefficients, blockClass);

  const alphaSmall = new Float32Array(sw * sh);
  const foreground = into?.foreground ?? new Uint8Array(rgb.length);
  foreground.set(rgb);
  const model = colourModel(rgb, alpha, w, h, options.guide ?? canvasGuide(canvas), blockClass, alphaSmall);
  // Past the photo's edge the subject fades out. Block means fade before islands are looked for
  // (the edge pixels repeated there must not join an island to anything); the pixels fade last.
  if (coverage) fadeBlocks(alphaSmall, coverage, w, h);
  const seed = eye && blockAt(eye.x, eye.y, sw, sh);
  const detached = detachedBlocks(alphaSmall, sw, sh, seed);
  if (detached) clearBlocks(alpha, w, h, detached, blockClass, alphaSmall);
  refineEdges(rgb, foreground, alpha, w, h, blockClass, model);
  if (coverage) fadePixels(alpha, coverage, w, h);
  return { alpha, foreground, alphaSmall, smallWidth: sw, smallHeight: sh };
}

/** The index of the SUB×SUB block holding canvas point (x, y), clamped to the blocks. */
function blockAt(x: number, y: number, sw: number, sh: number): number {
  const bx = Math.max(0, Math.min(sw - 1, Math.floor(x / SUB)));
  const by = Math.max(0, Math.min(sh - 1, Math.floor(y / SUB)));
  return by * sw + bx;
}

/** Makes the blocks marked in `blocks` transparent (the last row and column of blocks reach to
 * the canvas' edge) and CLEAR, so later passes skip them. */
function clearBlocks(
  alpha: Float32Array,
  w: number,
  h: number,
  blocks: Uint8Array,
  blockClass: Uint8Array,
  alphaSmall: Float32Array,
): void {
  const { width: sw, height: sh } = gridSize(w, h);
  for (let j = 0; j < blocks.length; j++) {
    if (blocks[j] === 0) continue;
    const bx = j % sw;
    const by = (j - bx) / sw;
    const x1 = bx === sw - 1 ? w : bx * SUB + SUB;
    const y1 = by === sh - 1 ? h : by * SUB + SUB;
    for (let y = by * SUB; y < y1; y++) alpha.fill(0, y * w + bx * SUB, y * w + x1);
    blockClass[j] = CLEAR;
    alphaSmall[j] = 0;
  }
}

/** Each block mean × the block's mean coverage. */
function fadeBlocks(alphaSmall: Float32Array, coverage: Float32Array, w: number, h: number): void {
  const { width: sw, height: sh } = gridSize(w, h);
  // Per block, the coverage missing from its SUB × SUB pixels (most blocks: none).
  const missing = tempF32("fade.missing", sw * sh).fill(0, 0, sw * sh);
  for (let y = 0; y < sh * SUB; y++) {
    const blockRow = ((y / SUB) | 0) * sw;
    forPaddedEnds(coverage, y * w, sw * SUB, (x, c) => {
      const j = blockRow + ((x / SUB) | 0);
      missing[j] = missing[j]! + 1 - c;
    });
  }
  for (let j = 0; j < sw * sh; j++) {
    if (missing[j] !== 0) alphaSmall[j] = alphaSmall[j]! * (1 - missing[j]! / (SUB * SUB));
  }
}

/**
 * Alpha × coverage, on the finished matte: the fade stays the smooth ramp the coverage is (edge
 * refinement would have steepened it in bands wherever background colours are near).
 */
function fadePixels(alpha: Float32Array, coverage: Float32Array, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    const row = y * w;
    forPaddedEnds(coverage, row, w, (x, c) => (alpha[row + x] = alpha[row + x]! * c));
  }
}

/**
 * Calls `f(x, coverage)` for the first `n` columns of the row at `row` where the coverage is below
 * 1: only its two ends need looking at (`FramedCanvas.coverage`), not the photo between them.
 */
function forPaddedEnds(coverage: Float32Array, row: number, n: number, f: (x: number, c: number) => void) {
  let left = 0;
  for (; left < n && coverage[row + left] !== 1; left++) f(left, coverage[row + left]!);
  for (let x = n - 1; x >= left && coverage[row + x] !== 1; x--) f(x, coverage[row + x]!);
}

/** Alpha per pixel from the quarter-resolution guided-filter coefficients, interpolated
 * bilinearly and applied to the pixel's colour; CLEAR and SOLID blocks are filled directly. */
function applyCoefficients(
  alpha: Float32Array,
  rgb: Uint8Array,
  w: number,
  h: number,
  [ar, ag, ab, bb]: readonly [Float32Array, Float32Array, Float32Array, Float32Array],
  blockClass: Uint8Array,
): void {
  const { width: sw, height: sh } = gridSize(w, h);
  const span = MATTE_HIGH - MATTE_LOW;
  const fy = sh / h;
  const { i0: xs0, i1: xs1, t: xw } = bilinearTaps(w, sw);
  for (let y = 0; y < h; y++) {
    const sy = Math.max(0, Math.min(sh - 1, (y + 0.5) * fy - 0.5));
    const y0 = (sy | 0) * sw;
    const y1 = Math.min(sh - 1, (sy | 0) + 1) * sw;
    const wy = sy - (sy | 0);
    const brow = Math.min(sh - 1, (y / SUB) | 0) * sw;
    for (let bx = 0; bx * SUB < w; bx++) {
      const xEnd = Math.min(w, bx * SUB + SUB);
      const cls = blockClass[brow + Math.min(sw - 1, bx)]!;
      if (cls !== MIXED) {
        const value = cls === SOLID ? 1 : 0;
        for (let i = y * w + bx * SUB; i < y * w + xEnd; i++) alpha[i] = value;
        continue;
      }
      for (let x = bx * SUB; x < xEnd; x++) {
        const x0 = xs0[x]!;
        const x1 = xs1[x]!;
        const wx = xw[x]!;
        const w00 = (1 - wx) * (1 - wy),
          w01 = wx * (1 - wy),
          w10 = (1 - wx) * wy,
          w11 = wx * wy;
        const i00 = y0 + x0,
          i01 = y0 + x1,
          i10 = y1 + x0,
          i11 = y1 + x1;
        const i = y * w + x;
        const o = i * 3;
        const q =
          ((ar[i00]! * w00 + ar[i01]! * w01 + ar[i10]! * w10 + ar[i11]! * w11) * rgb[o]! +
            (ag[i00]! * w00 + ag[i01]! * w01 + ag[i10]! * w10 + ag[i11]! * w11) * rgb[o + 1]! +
            (ab[i00]! * w00 + ab[i01]! * w01 + ab[i10]! * w10 + ab[i11]! * w11) * rgb[o + 2]!) /
            255 +
          bb[i00]! * w00 +
          bb[i01]! * w01 +
          bb[i10]! * w10 +
          bb[i11]! * w11;
        const a = (q - MATTE_LOW) / span;
        alpha[i] = a <= 0 ? 0 : a >= 1 ? 1 : a;
      }
    }
  }
}

const smoothstep = (lo: number, hi: number, v: number) => {
  const t = v <= lo ? 0 : v >= hi ? 1 : (v - lo) / (hi - lo);
  return t * t * (3 - 2 * t);
};

/**
 * A head-and-shoulders prior on the coarse matte (in place; `p` is `w`×`h` at `step` canvas
 * pixels per sample). Two nested silhouettes in head heights from the eye midpoint, each a head
 * ellipse united with a neck-and-shoulders trapezoid widening downwards:
 * - inside the core (head with hair, neck, the middle of the chest) the model is trusted as is;
 * - between core and outline only confident regions stay, so unsure blobs at the sides (another
 *   person's clothes, furniture) that touch the subject no longer count as the subject;
 * - beyond the outline (beside and above the head, far sides) nothing is the subject;
 * - another person's outline (a neighbour's head and shoulders, drawn to their size) takes what
 *   lies deeper inside it than inside the subject's outline, outside the subject's core: a friend
 *   pressed against the subject's shoulder is a person Selfie is sure of, but not the subject.
 * - a pocket on the chest the model is unsure of but leans towards (a badge or logo whose colours
 *   it half takes for background), enclosed by the subject's sure region on all four sides, is
 *   the subject's (`fillPockets`), where no one else was found.
 * Edges are soft (a tenth of a head height), so no hard line is drawn into the matte.
 */
export function applySubjectPrior(
  p: Float32Array,
  w: number,
  h: number,
  step: number,
  s: SubjectPrior,
): void {
  const soft = 0.1;
  const neighbours = s.neighbours ?? [];
  const shear = Math.tan(s.lean ?? 0);
  const model = tempF32("prior.model", w * h);
  model.set(p.subarray(0, w * h));
  // Per sample outside the outline, how far hair there may be the subject's (0: not at all).
  const hairRoom = tempF32("prior.hair", w * h).fill(0, 0, w * h);
  // How surely another person's outline claims a sample: it lies inside theirs, and deeper inside
  // it than inside the subject's (compared in canvas pixels, so the person it is nearer to wins,
  // not the larger one).
  const claimedAt = (x: number, y: number, outSubject: number) => {
    let claimed = 0;
    for (const n of neighbours) {
      const [nx, ny] = [((x + 0.5) * step - n.eyeX) / n.head, ((y + 0.5) * step - n.eyeY) / n.head];
      const outNeighbour = outsideOutline(nx, ny);
      const deeperInTheirs = smoothstep(
        -soft * s.head,
        soft * s.head,
        outSubject * s.head - outNeighbour * n.head,
      );
      claimed = Math.max(claimed, (1 - smoothstep(-soft, soft, outNeighbour)) * deeperInTheirs);
    }
    return claimed;
  };
  for (let y = 0; y < h; y++) {
    const v = ((y + 0.5) * step - s.eyeY) / s.head;
    for (let x = 0; x < w; x++) {
      // Below the neck the body runs along its own axis.
      const u = ((x + 0.5) * step - s.eyeX) / s.head + shear * Math.max(0, v - 0.2);
      const i = y * w + x;
      const outSubject = outsideOutline(u, v);
      const outline = 1 - smoothstep(-soft, soft, outSubject);
      if (outline <= 0) {
        p[i] = 0;
        if (v < HAIR_ZONE && outSubject < HAIR_REACH) {
          hairRoom[i] =
            (1 - smoothstep(HAIR_REACH / 2, HAIR_REACH, outSubject)) * (1 - claimedAt(x, y, outSubject));
        }
        continue;
      }
      const core = 1 - smoothstep(-soft, soft, outsideSilhouette(u, v, 0.7, 0.8, 0.5, 0.8, 0.52));
      const pi = p[i]!;
      const sure = smoothstep(OUTER_CONFIDENCE[0], OUTER_CONFIDENCE[1], pi);
      p[i] = pi * outline * (core + (1 - core) * sure * (1 - claimedAt(x, y, outSubject)));
    }
  }
  extendHair(p, model, hairRoom, w, h);
  // Pockets are looked for only in a photo of one person: beside another, the sure region may
  // hold a piece of them (sample6's friend's top), and the gap between would count as enclosed.
  if (neighbours.length > 0) return;
  const top = Math.max(0, Math.ceil((s.eyeY + POCKET_TOP * s.head) / step - 0.5));
  fillPockets(p, model, w, h, top, (POCKET_REACH * s.head) / step);
}

/**
 * Hair past the outline (long hair swinging out, big curls): samples the model is sure of
 * (HAIR_SURE) beside and above the head, joined to the subject through such samples, keep the
 * model's value times their room (`hairRoom`, which fades out HAIR_REACH head heights past the
 * outline and where a neighbour claims them).
 */
function extendHair(
  p: Float32Array,
  model: Float32Array,
  hairRoom: Float32Array,
  w: number,
  h: number,
): void {
  const queue: number[] = [];
  for (let i = 0; i < w * h; i++) if (p[i]! >= 0.5) queue.push(i);
  while (queue.length) {
    const i = queue.pop()!;
    const x = i % w;
    for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
      if (j < 0 || j >= w * h || hairRoom[j]! <= 0 || p[j]! > 0 || model[j]! < HAIR_SURE) continue;
      p[j] = model[j]! * hairRoom[j]!;
      queue.push(j);
    }
  }
}

/**
 * Raises `p` (the prior applied), from row `top` down, to how far `model` (the model's own values)
 * leans to the subject, in pockets of `p`'s sure region (≥ POCKET_SURE) at most 2 × `reach`
 * samples across between sure samples, both along the row and along the column. The model's
 * doubt at the subject's edge stays: there one side has no sure sample. Every sample of a pocket
 * is judged by the pocket's width, not by its own position, so a pocket fills evenly; the last
 * quarter of the reach ramps down, so no hard line is drawn.
 */
function fillPockets(
  p: Float32Array,
  model: Float32Array,
  w: number,
  h: number,
  top: number,
  reach: number,
): void {
  // Per sample, the distances to the nearest sure sample on both sides, summed per axis (a side
  // without one counts `cap`, which alone puts the sum past 2 × reach).
  const n = w * h;
  const across = tempF32("pocket.across", n).fill(0, 0, n);
  const down = tempF32("pocket.down", n).fill(0, 0, n);
  const cap = Math.ceil(2 * reach) + 1;
  const scan = (into: Float32Array, start: number, stride: number, count: number) => {
    let last = -cap;
    for (let k = 0; k < count; k++) {
      const i = start + k * stride;
      if (p[i]! >= POCKET_SURE) last = k;
      into[i] = into[i]! + Math.min(cap, k - last);
    }
  };
  for (let y = 0; y < h; y++) {
    scan(across, y * w, 1, w);
    scan(across, y * w + w - 1, -1, w);
  }
  for (let x = 0; x < w; x++) {
    scan(down, x, w, h);
    scan(down, (h - 1) * w + x, -w, h);
  }
  for (let i = Math.min(h, top) * w; i < n; i++) {
    const half = Math.max(across[i]!, down[i]!) / 2;
    if (p[i]! >= POCKET_SURE || half >= reach) continue;
    const enclosed = 1 - smoothstep(0.75 * reach, reach, half);
    const lean = enclosed * smoothstep(POCKET_LEAN[0], POCKET_LEAN[1], model[i]!);
    if (lean > p[i]!) p[i] = lean;
  }
}

/** `outsideSilhouette` of a person's outline: head with hair, shoulders to the frame's width. */
const outsideOutline = (u: number, v: number) => outsideSilhouette(u, v, 0.85, 0.98, 0.55, 0.8, 1.35);

/** Signed distance-like measure (head heights) outside a silhouette: ≤ 0 inside. */
function outsideSilhouette(
  u: number,
  v: number,
  rx: number,
  ry: number,
  neck: number,
  grow: number,
  wide: number,
) {
  const eu = u / rx;
  const ev = (v + 0.1) / ry;
  const e = Math.sqrt(eu * eu + ev * ev);
  const head = (e - 1) * Math.min(rx, ry);
  if (v < 0.2) return head;
  // Half-width of the body from `neck` at v = 0.2 to `wide` at v = 0.2 + grow.
  const half = neck + (wide - neck) * Math.min(1, (v - 0.2) / grow);
  return Math.min(head, Math.abs(u) - half);
}

/** Temporaries of `classifyBlocks`: per column, each term's 3-row minimum and maximum. */
const BOUNDS = ["r.lo", "g.lo", "b.lo", "c.lo", "r.hi", "g.hi", "b.hi", "c.hi"].map((k) => `classify.${k}`);
type Bounds = [F32, F32, F32, F32, F32, F32, F32, F32];
type F32 = Float32Array;

function classifyBlocks(
  out: Uint8Array,
  ar: Float32Array,
  ag: Float32Array,
  ab: Float32Array,
  bb: Float32Array,
  sw: number,
  sh: number,
): void {
  // q ≥ Σ_k min(0, a_k) + b for any guide colour in 0..1 (and ≤ with max); bilinear weights are
  // convex, so the neighbourhood's per-term minima and maxima bound every interpolated pixel.
  // The 3×3 minima and maxima are separable: first over each column's three rows, then across.
  const [rl, gl, bl, cl, rh, gh, bh, ch] = BOUNDS.map((key) => tempF32(key, sw)) as Bounds;
  for (let y = 0; y < sh; y++) {
    const v0 = Math.max(0, y - 1) * sw;
    const v1 = y * sw;
    const v2 = Math.min(sh - 1, y + 1) * sw;
    columnBounds(ar, v0, v1, v2, sw, rl, rh);
    columnBounds(ag, v0, v1, v2, sw, gl, gh);
    columnBounds(ab, v0, v1, v2, sw, bl, bh);
    columnBounds(bb, v0, v1, v2, sw, cl, ch);
    classifyRow(out, y * sw, sw, rl, gl, bl, cl, rh, gh, bh, ch);
  }
}

/** Per column x: the minimum and maximum of `t` at offsets v0, v1, v2 (three rows) + x. */
function columnBounds(
  t: Float32Array,
  v0: number,
  v1: number,
  v2: number,
  sw: number,
  lo: Float32Array,
  hi: Float32Array,
): void {
  for (let x = 0; x < sw; x++) {
    const a = t[v0 + x]!,
      b = t[v1 + x]!,
      c = t[v2 + x]!;
    lo[x] = Math.min(a, b, c);
    hi[x] = Math.max(a, b, c);
  }
}

/** Classes of one row of blocks from its column bounds (the colour terms' minima clipped at 0
 * from above, maxima at 0 from below: q's bound over a guide colour in 0..1). */
function classifyRow(
  out: Uint8Array,
  row: number,
  sw: number,
  rl: Float32Array,
  gl: Float32Array,
  bl: Float32Array,
  cl: Float32Array,
  rh: Float32Array,
  gh: Float32Array,
  bh: Float32Array,
  ch: Float32Array,
): void {
  for (let x = 0; x < sw; x++) {
    const u0 = Math.max(0, x - 1);
    const u2 = Math.min(sw - 1, x + 1);
    const rLo = Math.min(0, rl[u0]!, rl[x]!, rl[u2]!);
    const gLo = Math.min(0, gl[u0]!, gl[x]!, gl[u2]!);
    const bLo = Math.min(0, bl[u0]!, bl[x]!, bl[u2]!);
    const cLo = Math.min(cl[u0]!, cl[x]!, cl[u2]!);
    const rHi = Math.max(0, rh[u0]!, rh[x]!, rh[u2]!);
    const gHi = Math.max(0, gh[u0]!, gh[x]!, gh[u2]!);
    const bHi = Math.max(0, bh[u0]!, bh[x]!, bh[u2]!);
    const cHi = Math.max(ch[u0]!, ch[x]!, ch[u2]!);
    const low = rLo + gLo + bLo + cLo - BLOCK_MARGIN;
    const high = rHi + gHi + bHi + cHi + BLOCK_MARGIN;
    out[row + x] = high <= MATTE_LOW ? CLEAR : low >= MATTE_HIGH ? SOLID : MIXED;
  }
}

/** Local colour estimates at block resolution: foreground and background mean colours (RGB
 * planes) and whether any confident pixel is near (`ok`, 1 or 0). */
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
function colourModel(
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
  for (let j = 0; j < blockClass.length; j++) {
    const cls = blockClass[j]!;
    if (cls === SOLID) {
      fgWeight[j] = blockPixels;
      f0[j] = g0[j]! * 255 * blockPixels;
      f1[j] = g1[j]! * 255 * blockPixels;
      f2[j] = g2[j]! * 255 * blockPixels;
      alphaSmall[j] = 1;
    } else if (cls === CLEAR) {
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
  for (let by = 0; by < sh; by++) {
    for (let bx = 0; bx < sw; bx++) {
      const j = by * sw + bx;
      if (blockClass[j] !== MIXED) continue;
      let sumA = 0;
      let nf = 0,
        f0 = 0,
        f1 = 0,
        f2 = 0,
        nb = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0;
      for (let y = by * SUB; y < by * SUB + SUB; y++) {
        for (let x = bx * SUB, i = y * w + x; x < bx * SUB + SUB; x++, i++) {
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
      alphaSmall[j] = sumA / (SUB * SUB);
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
 * too small for the division to be trusted.
 */
function refineEdges(
  rgb: Uint8Array,
  out: Uint8Array,
  alpha: Float32Array,
  w: number,
  h: number,
  blockClass: Uint8Array,
  { fg, bg, fPresence, bPresence }: ColourModel,
): void {
  const { width: sw, height: sh } = gridSize(w, h);
  const { i0: xs0, i1: xs1, t: xw } = bilinearTaps(w, sw, 1 / SUB);
  const F = new Float64Array(3);
  const B = new Float64Array(3);
  const weights = new Float64Array(4);
  const taps = new Int32Array(4);
  for (let y = 0; y < h; y++) {
    const brow = Math.min(sh - 1, (y / SUB) | 0) * sw;
    const sy = Math.max(0, Math.min(sh - 1, (y + 0.5) / SUB - 0.5));
    const r0 = (sy | 0) * sw;
    const r1 = Math.min(sh - 1, (sy | 0) + 1) * sw;
    const wy = sy - (sy | 0);
    for (let x = 0; x < w; x++) {
      const j = brow + Math.min(sw - 1, (x / SUB) | 0);
      if (blockClass[j] !== MIXED) {
        x = (((x / SUB) | 0) + 1) * SUB - 1;
        continue;
      }
      const i = y * w + x;
      let al = alpha[i]!;
      if (al <= 0.01 || al >= 0.99) continue;
      const o = i * 3;
      const wx = xw[x]!;
      weights[0] = (1 - wx) * (1 - wy);
      weights[1] = wx * (1 - wy);
      weights[2] = (1 - wx) * wy;
      weights[3] = wx * wy;
      taps[0] = r0 + xs0[x]!;
      taps[1] = r0 + xs1[x]!;
      taps[2] = r1 + xs0[x]!;
      taps[3] = r1 + xs1[x]!;
      // Refinement needs both local means; it fades in with the less present of them.
      const strength = Math.min(
        sampleModel(F, fg, fPresence, taps, weights, rgb, o),
        sampleModel(B, bg, bPresence, taps, weights, rgb, o),
      );
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
          const ac = ((rgb[o]! - B[0]!) * d0 + (rgb[o + 1]! - B[1]!) * d1 + (rgb[o + 2]! - B[2]!) * d2) / dd;
          refined =
            conf * Math.min(al, BACKGROUND_CAP[0] + BACKGROUND_CAP[1] * Math.max(0, ac)) + (1 - conf) * hard;
        }
        al += (refined - al) * strength;
        alpha[i] = al;
        if (al <= 0.01 || al >= 0.99) continue;
      }
      const trust = Math.min(1, Math.max(0, (al - 0.15) / 0.5));
      for (let k = 0; k < 3; k++) {
        const solved = (rgb[o + k]! - (1 - al) * B[k]!) / Math.max(al, 0.05);
        const v = trust * solved + (1 - trust) * F[k]!;
        out[o + k] = v < 0 ? 0 : v > 255 ? 255 : v + 0.5;
      }
    }
  }
}

/**
 * The local mean at a pixel, from the four blocks at `taps` (bilinear `weights`) each weighted by
 * its presence, into `dst`, blended towards the pixel's own colour `own` as far as the means are
 * missing. Returns how present they are, 0..1: smooth in the image, like the blend.
 */
function sampleModel(
  dst: Float64Array,
  planes: readonly [Float32Array, Float32Array, Float32Array],
  presence: Float32Array,
  taps: Int32Array,
  weights: Float64Array,
  own: Uint8Array,
  o: number,
): number {
  const j00 = taps[0]!,
    j01 = taps[1]!,
    j10 = taps[2]!,
    j11 = taps[3]!;
  const a = presence[j00]! * weights[0]!,
    b = presence[j01]! * weights[1]!,
    c = presence[j10]! * weights[2]!,
    d = presence[j11]! * weights[3]!;
  const sum = a + b + c + d;
  // sum × (the presence-weighted mean) + (1 − sum) × own, the mean's division cancelled.
  for (let k = 0; k < 3; k++) {
    const p = planes[k]!;
    dst[k] = p[j00]! * a + p[j01]! * b + p[j10]! * c + p[j11]! * d + (1 - sum) * own[o + k]!;
  }
  return sum;
}

/** Guided filter coefficients (a_r, a_g, a_b, b), already box-averaged, at the guide's size. */
function guidedCoefficients(
  I: GuidePlanes,
  p: Float32Array,
  w: number,
  h: number,
): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const n = w * h;
  const r = GUIDE_RADIUS;
  const [R, G, B] = I;
  // Every plane, the result's too, is a module temporary, valid until the next call: `matteGrid`
  // copies the coefficients out before returning.
  const prod = tempF32("guide.prod", n);
  const blurOf = (key: string, x: Float32Array, y?: Float32Array) =>
    boxBlur(y ? multiply(prod, x, y, n) : x, w, h, r, tempF32(`guide.${key}`, n));
  const mR = blurOf("mR", R);
  const mG = blurOf("mG", G);
  const mB = blurOf("mB", B);
  const mP = blurOf("mP", p);
  const mRP = blurOf("mRP", R, p);
  const mGP = blurOf("mGP", G, p);
  const mBP = blurOf("mBP", B, p);
  const vRR = blurOf("vRR", R, R);
  const vRG = blurOf("vRG", R, G);
  const vRB = blurOf("vRB", R, B);
  const vGG = blurOf("vGG", G, G);
  const vGB = blurOf("vGB", G, B);
  const vBB = blurOf("vBB", B, B);
  const aR = tempF32("guide.aR", n);
  const aG = tempF32("guide.aG", n);
  const aB = tempF32("guide.aB", n);
  const b = tempF32("guide.b", n);
  solveCoefficients([mR, mG, mB, mP, mRP, mGP, mBP, vRR, vRG, vRB, vGG, vGB, vBB], [aR, aG, aB, b], n);
  const out = (key: string, x: Float32Array) => boxBlur(x, w, h, r, tempF32(`guide.out.${key}`, n));
  return [out("aR", aR), out("aG", aG), out("aB", aB), out("b", b)];
}

/** Elementwise `x · y` of the first `n` values into `dst`. */
function multiply(dst: Float32Array, x: Float32Array, y: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) dst[i] = x[i]! * y[i]!;
  return dst;
}

/** Per window (the first `n`), the least-squares a (3 channels) and b from the box-averaged moments. */
function solveCoefficients(
  [mR, mG, mB, mP, mRP, mGP, mBP, vRR, vRG, vRB, vGG, vGB, vBB]: readonly Float32Array[],
  [aR, aG, aB, b]: readonly [Float32Array, Float32Array, Float32Array, Float32Array],
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const mr = mR![i]!,
      mg = mG![i]!,
      mb = mB![i]!,
      mp = mP![i]!;
    const cr = mRP![i]! - mr * mp,
      cg = mGP![i]! - mg * mp,
      cb = mBP![i]! - mb * mp;
    const rr = vRR![i]! - mr * mr + GUIDE_EPS,
      rg = vRG![i]! - mr * mg,
      rb = vRB![i]! - mr * mb;
    const gg = vGG![i]! - mg * mg + GUIDE_EPS,
      gb = vGB![i]! - mg * mb,
      bbv = vBB![i]! - mb * mb + GUIDE_EPS;
    // Inverse of the symmetric 3×3 covariance by cofactors.
    const i00 = gg * bbv - gb * gb,
      i01 = rb * gb - rg * bbv,
      i02 = rg * gb - rb * gg;
    const i11 = rr * bbv - rb * rb,
      i12 = rb * rg - rr * gb,
      i22 = rr * gg - rg * rg;
    const det = rr * i00 + rg * i01 + rb * i02;
    const ar = (i00 * cr + i01 * cg + i02 * cb) / det;
    const ag = (i01 * cr + i11 * cg + i12 * cb) / det;
    const ab = (i02 * cr + i12 * cg + i22 * cb) / det;
    aR[i] = ar;
    aG[i] = ag;
    aB[i] = ab;
    b[i] = mp - ar * mr - ag * mg - ab * mb;
  }
}

/** SUB×SUB-averaged RGB planes in 0..1. */
function downsample(rgb: Uint8Array, w: number, h: number): GuidePlanes {
  const { width: sw, height: sh } = gridSize(w, h);
  const planes: GuidePlanes = [
    new Float32Array(sw * sh),
    new Float32Array(sw * sh),
    new Float32Array(sw * sh),
  ];
  const norm = 1 / (255 * SUB * SUB);
  const [p0, p1, p2] = planes;
  // Same order of additions per block as a plain pixel loop (rows, then columns).
  for (let y = 0; y < sh * SUB; y++) {
    const row = ((y / SUB) | 0) * sw;
    for (let bx = 0, o = y * w * 3; bx < sw; bx++) {
      const j = row + bx;
      let r = p0[j]!,
        g = p1[j]!,
        b = p2[j]!;
      for (let k = 0; k < SUB; k++, o += 3) {
        r = Math.fround(r + rgb[o]! * norm);
        g = Math.fround(g + rgb[o + 1]! * norm);
        b = Math.fround(b + rgb[o + 2]! * norm);
      }
      p0[j] = r;
      p1[j] = g;
      p2[j] = b;
    }
  }
  return planes;
}
