// The colour guided filter (He et al., "fast" variant): coefficients from the guide and the
// coarse matte on the working grid, block classes from them, and alpha from them per pixel.

import { boxBlur } from "../filters";
import { bilinearRow, bilinearTaps } from "../sampling";
import { tempF32 } from "../temporaries";
import { CLEAR, gridSize, MIXED, SOLID, SUB, type GuidePlanes } from "./grid";

/** Guided filter window radius (at working resolution) and regulariser. */
const GUIDE_RADIUS = 4;
const GUIDE_EPS = 1e-3;
/** Matte values are re-stretched from this range to 0..1: softness stays for hair, the faint
 * fringe where the model is unsure (the usual source of halos) goes. */
const MATTE_LOW = 0.4;
const MATTE_HIGH = 0.85;
/** Margin of the clear/solid block shortcut against float rounding (matte units). */
const BLOCK_MARGIN = 1e-4;

/** The guided filter's coefficients (a_r, a_g, a_b, b) on the working grid: alpha is
 * a_r·R + a_g·G + a_b·B + b, stretched from MATTE_LOW..MATTE_HIGH. */
export type Coefficients = [Float32Array, Float32Array, Float32Array, Float32Array];

/** Guided filter coefficients (a_r, a_g, a_b, b), already box-averaged, at the guide's size. */
export function guidedCoefficients(I: GuidePlanes, p: Float32Array, w: number, h: number): Coefficients {
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
  [aR, aG, aB, b]: Readonly<Coefficients>,
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

/** Temporaries of `classifyBlocks`: per column, each term's 3-row minimum and maximum. */
const BOUNDS = ["r.lo", "g.lo", "b.lo", "c.lo", "r.hi", "g.hi", "b.hi", "c.hi"].map((k) => `classify.${k}`);
type Bounds = [F32, F32, F32, F32, F32, F32, F32, F32];
type F32 = Float32Array;

/** The class of each block of a `sw` × `sh` grid (into `out`) from the coefficients its pixels
 * interpolate (`matteGrid` says when a block is CLEAR or SOLID). */
export function classifyBlocks(
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
  const clear = CLEAR,
    solid = SOLID,
    mixed = MIXED; // locals for the loop (grid.ts)
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
    out[row + x] = high <= MATTE_LOW ? clear : low >= MATTE_HIGH ? solid : mixed;
  }
}

/** Alpha per pixel from the quarter-resolution guided-filter coefficients, interpolated
 * bilinearly and applied to the pixel's colour; CLEAR and SOLID blocks are filled directly. */
export function applyCoefficients(
  alpha: Float32Array,
  rgb: Uint8Array,
  w: number,
  h: number,
  [ar, ag, ab, bb]: Readonly<Coefficients>,
  blockClass: Uint8Array,
): void {
  const { width: sw, height: sh } = gridSize(w, h);
  const span = MATTE_HIGH - MATTE_LOW;
  const fy = sh / h;
  const { i0: xs0, i1: xs1, t: xw } = bilinearTaps(w, sw);
  const sub = SUB,
    mixed = MIXED,
    solid = SOLID; // locals for the loops (grid.ts)
  for (let y = 0; y < h; y++) {
    const { i0: y0, i1: y1, t: wy } = bilinearRow(y, sh, sw, fy);
    const brow = Math.min(sh - 1, (y / sub) | 0) * sw;
    const start = y * w;
    for (let bx = 0, x0 = 0; x0 < w; bx++, x0 += sub) {
      const xEnd = Math.min(w, x0 + sub);
      const cls = blockClass[brow + Math.min(sw - 1, bx)]!;
      if (cls !== mixed) {
        const value = cls === solid ? 1 : 0;
        for (let i = start + x0; i < start + xEnd; i++) alpha[i] = value;
        continue;
      }
      for (let x = x0; x < xEnd; x++) {
        // `bilinearCell`, written out: with four planes read per pixel, the cell object it
        // returns costs this loop ~6 %.
        const wx = xw[x]!;
        const w00 = (1 - wx) * (1 - wy),
          w01 = wx * (1 - wy),
          w10 = (1 - wx) * wy,
          w11 = wx * wy;
        const i00 = y0 + xs0[x]!,
          i01 = y0 + xs1[x]!,
          i10 = y1 + xs0[x]!,
          i11 = y1 + xs1[x]!;
        const i = start + x;
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
