// Filters on single-channel float planes, run by the SIMD kernels (wasm/kernels.wat).

import { KernelMemory, sharedKernels } from "./wasm/kernels";

/** Mean over a (2r+1)² window, windows clipped at the borders (the `blur` kernel). `out`
 * (w × h, not `src`) receives the result when given, so callers can reuse a buffer. */
export function boxBlur(
  src: Float32Array,
  w: number,
  h: number,
  r: number,
  out: Float32Array = new Float32Array(w * h),
): Float32Array {
  const n = w * h;
  const mem = sharedKernels(KernelMemory.size(n * 4, n * 4, n * 4, w * 8));
  const [input, tmp, result, col] = [mem.f32(n), mem.f32(n), mem.f32(n), mem.f32(w * 2)];
  input.view.set(src.subarray(0, n));
  mem.kernels.blur(input.ptr, tmp.ptr, result.ptr, col.ptr, w, h, r);
  out.set(result.view);
  return out;
}
