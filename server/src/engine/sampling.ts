// Bilinear resampling, pixel-centre aligned, shared by every step: the `level` kernel for RGB
// images under an affine map, and taps and resizes for float planes.

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

/**
 * Bilinear taps, pixel-centre aligned, for `dst` positions sampling `src` samples at `scale`
 * source samples per position: the two source indices (clamped) and the second one's weight.
 */
export function bilinearTaps(
  dst: number,
  src: number,
  scale = src / dst,
): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const t = new Float32Array(dst);
  for (let x = 0; x < dst; x++) {
    const s = Math.max(0, Math.min(src - 1, (x + 0.5) * scale - 0.5));
    i0[x] = s | 0;
    i1[x] = Math.min(src - 1, (s | 0) + 1);
    t[x] = s - (s | 0);
  }
  return { i0, i1, t };
}

/** Bilinear resize of a single-channel plane (pixel-centre aligned). */
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
    const sy = Math.max(0, Math.min(sh - 1, (y + 0.5) * fy - 0.5));
    const y0 = (sy | 0) * sw;
    const y1 = Math.min(sh - 1, (sy | 0) + 1) * sw;
    const wy = sy - (sy | 0);
    for (let x = 0; x < dw; x++) {
      const t = src[y0 + xs0[x]!]! + (src[y0 + xs1[x]!]! - src[y0 + xs0[x]!]!) * xw[x]!;
      const b = src[y1 + xs0[x]!]! + (src[y1 + xs1[x]!]! - src[y1 + xs0[x]!]!) * xw[x]!;
      out[y * dw + x] = t + (b - t) * wy;
    }
  }
  return out;
}
