// Bilinear interpolation, pixel-centre aligned, for every step: the `level` kernel for RGB images
// under an affine map, and for float planes the taps, the cell a pixel reads, point reads and resizes.

import type { Point } from "./geometry";
import { KernelMemory, sharedKernels } from "./wasm/kernels";

/**
 * Bilinear sampling of `src` (sw × sh RGB) into w × h RGB by the `level` kernel; `at` maps an
 * output pixel to source pixel centres and must be affine. Taps past `src` repeat its edge pixels.
 * The result lives in kernel memory: valid until the next kernel call.
 */
export function level(
  src: Uint8Array,
  sw: number,
  sh: number,
  w: number,
  h: number,
  at: (u: number, v: number) => Point,
): Uint8Array {
  // The kernel reads up to 2 bytes past the input.
  const mem = sharedKernels(KernelMemory.size(src.length + 2, w * h * 3));
  const input = mem.u8(src.length + 2);
  const output = mem.u8(w * h * 3);
  input.view.set(src);
  const [o, du, dv] = [at(0, 0), at(1, 0), at(0, 1)];
  mem.kernels.level(
    input.ptr,
    sw,
    sh,
    output.ptr,
    w,
    h,
    o.x,
    o.y,
    du.x - o.x,
    du.y - o.y,
    dv.x - o.x,
    dv.y - o.y,
  );
  return output.view;
}

/** Where a bilinear sample falls along one axis: two source indices (clamped) and the second one's
 * weight. */
export interface BilinearTap {
  i0: number;
  i1: number;
  t: number;
}

/** Per-position taps along one axis (`bilinearTaps`), computed once for every row of an image. */
export interface BilinearTaps {
  i0: Int32Array;
  i1: Int32Array;
  t: Float32Array;
}

/**
 * The bilinear tap, pixel-centre aligned, for position `x` sampling `src` samples at `scale`
 * source samples per position.
 */
export function bilinearTap(x: number, src: number, scale: number): BilinearTap {
  const s = Math.max(0, Math.min(src - 1, (x + 0.5) * scale - 0.5));
  return { i0: s | 0, i1: Math.min(src - 1, (s | 0) + 1), t: s - (s | 0) };
}

/** `bilinearTap` for each of `dst` positions sampling `src` samples (the weights as float32). */
export function bilinearTaps(dst: number, src: number, scale = src / dst): BilinearTaps {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const t = new Float32Array(dst);
  for (let x = 0; x < dst; x++) {
    const tap = bilinearTap(x, src, scale);
    i0[x] = tap.i0;
    i1[x] = tap.i1;
    t[x] = tap.t;
  }
  return { i0, i1, t };
}

/** Row `y`'s tap into a plane of `rows` rows of `stride` samples at `scale` rows per row: its two
 * rows as offsets into the plane. */
export function bilinearRow(y: number, rows: number, stride: number, scale: number): BilinearTap {
  const { i0, i1, t } = bilinearTap(y, rows, scale);
  return { i0: i0 * stride, i1: i1 * stride, t };
}

/** The four samples a pixel reads (top left, top right, bottom left, bottom right): their indices
 * and weights. */
export interface BilinearCell {
  i00: number;
  i01: number;
  i10: number;
  i11: number;
  w00: number;
  w01: number;
  w10: number;
  w11: number;
}

/** The cell pixel `x` of `row` reads, from the row's tap (`bilinearRow`) and the per-column taps.
 * Made per pixel: in a loop it stays in registers, where a cell reused across pixels costs a
 * store per field. */
export function bilinearCell(row: BilinearTap, columns: BilinearTaps, x: number): BilinearCell {
  const wx = columns.t[x]!;
  const wy = row.t;
  const w00 = (1 - wx) * (1 - wy),
    w01 = wx * (1 - wy),
    w10 = (1 - wx) * wy,
    w11 = wx * wy;
  const x0 = columns.i0[x]!,
    x1 = columns.i1[x]!;
  return { i00: row.i0 + x0, i01: row.i0 + x1, i10: row.i1 + x0, i11: row.i1 + x1, w00, w01, w10, w11 };
}

/** Bilinear resize of a single-channel plane (pixel-centre aligned; past its edge, its edge
 * samples repeat). */
export function resizeBilinear(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const out = new Float32Array(dw * dh);
  const fy = sh / dh;
  const { i0: xs0, i1: xs1, t: xw } = bilinearTaps(dw, sw);
  for (let y = 0; y < dh; y++) {
    const { i0: y0, i1: y1, t: wy } = bilinearRow(y, sh, sw, fy);
    for (let x = 0; x < dw; x++) {
      const x0 = xs0[x]!;
      const x1 = xs1[x]!;
      out[y * dw + x] = interpolate(src[y0 + x0]!, src[y0 + x1]!, src[y1 + x0]!, src[y1 + x1]!, xw[x]!, wy);
    }
  }
  return out;
}

/**
 * Bilinear read of a `w` × `h` plane at (x, y) in sample units (sample centres at integers).
 * Samples past the plane count as 0, so a read fades out across its border; 0 beyond that.
 */
export function sampleAt(plane: Float32Array, w: number, h: number, x: number, y: number): number {
  if (!(x > -1 && y > -1 && x < w && y < h)) return 0;
  const [x0, y0] = [Math.floor(x), Math.floor(y)];
  const v = (i: number, j: number) => (i < 0 || j < 0 || i >= w || j >= h ? 0 : plane[j * w + i]!);
  return interpolate(v(x0, y0), v(x0 + 1, y0), v(x0, y0 + 1), v(x0 + 1, y0 + 1), x - x0, y - y0);
}

/** Between four samples (top left, top right, bottom left, bottom right) at fractions (tx, ty). */
function interpolate(s00: number, s01: number, s10: number, s11: number, tx: number, ty: number): number {
  const top = s00 + (s01 - s00) * tx;
  const bottom = s10 + (s11 - s10) * tx;
  return top + (bottom - top) * ty;
}
