// The engine's SIMD kernels (src/engine/wasm) against plain reference formulas, and the committed
// binary against its WebAssembly text source.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { STYLES } from "@headshot/shared";
import { compileKernels, WASM } from "../../src/engine/wasm/build";
import { KernelMemory, sharedKernels } from "../../src/engine/wasm/kernels";
import { StyleRenderer, styleMatrix } from "../../src/engine/render";
import { boxBlur } from "../../src/engine/matte";

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("kernels.wasm", () => {
  it("is what kernels.wat compiles to (run `npm run build:wasm` after editing the source)", async () => {
    expect(Buffer.from(await readFile(WASM)).equals(Buffer.from(await compileKernels()))).toBe(true);
  });
});

describe("render", () => {
  it("applies each style's matrix with the ordered dither, rounded and clamped", () => {
    const rnd = random(1);
    const [w, h] = [64, 48];
    const renderer = new StyleRenderer(w, h);
    const [S0, S1, S2] = renderer.subject.map((p) => p.view);
    const [A, B, F] = [renderer.alpha.view, renderer.backdrop.view, renderer.backdropFalloff.view];
    for (let i = 0; i < w * h; i++) {
      const a = rnd() < 0.3 ? 0 : rnd() < 0.5 ? 1 : rnd();
      A[i] = a;
      S0![i] = rnd() * 255 * a;
      S1![i] = rnd() * 300 * a; // past 255: the clamp is exercised
      S2![i] = rnd() * 255 * a;
      B[i] = (1 - a) * (0.7 + 0.3 * rnd());
      F[i] = B[i]! * rnd();
    }
    const rows = { y0: 5, y1: 40 };
    let mismatched = 0;
    for (const style of STYLES) {
      const { m, kA, kB, kF, k0 } = styleMatrix(style);
      const out = renderer.render(style, rows, 0);
      for (let y = rows.y0; y < rows.y1; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const d = (((x * 7 + ((y * 13) & 15)) & 15) - 7.5) * 0.1;
          for (let c = 0; c < 3; c++) {
            const v =
              m[c]![0]! * S0![i]! +
              m[c]![1]! * S1![i]! +
              m[c]![2]! * S2![i]! +
              kA[c]! * A[i]! +
              kB[c]! * B[i]! +
              kF[c]! * F[i]! +
              k0[c]! +
              d;
            const expected = Math.max(0, Math.min(255, Math.round(v)));
            const got = out[i * 3 + c]!;
            // f32 lanes vs this f64 reference: a value on a rounding boundary may land either side.
            expect(Math.abs(got - expected)).toBeLessThanOrEqual(1);
            if (got !== expected) mismatched++;
          }
        }
      }
    }
    expect(mismatched / (STYLES.length * (rows.y1 - rows.y0) * w * 3)).toBeLessThan(1e-3);
  });

  it("quarters an output window into 4 × 4 block means", () => {
    const rnd = random(2);
    const [w, h] = [32, 40];
    const renderer = new StyleRenderer(w, h);
    renderer.subject.forEach((p) => p.view.fill(0));
    renderer.alpha.view.fill(0);
    renderer.backdropFalloff.view.fill(0);
    // A white backdrop of random brightness: the output is that brightness (± dither) per pixel.
    for (let i = 0; i < w * h; i++) renderer.backdrop.view[i] = rnd();
    const style = STYLES.find((s) => s.id === "high-key-white")!;
    const out = renderer.render(style, { y0: 0, y1: h }, 1).slice();
    const top = 8;
    const quarter = renderer.quarter(1, top, 24);
    expect(quarter.length).toBe((w / 4) * 6 * 3);
    for (let by = 0; by < 6; by++) {
      for (let bx = 0; bx < w / 4; bx++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let y = 0; y < 4; y++)
            for (let x = 0; x < 4; x++) sum += out[((top + by * 4 + y) * w + bx * 4 + x) * 3 + c]!;
          expect(quarter[(by * (w / 4) + bx) * 3 + c]).toBe((sum + 8) >> 4);
        }
      }
    }
  });
});

describe("level", () => {
  it("samples bilinearly along an affine map, repeating edge pixels past the source", () => {
    const rnd = random(3);
    const [sw, sh, w, h] = [40, 30, 36, 28];
    const mem = sharedKernels(KernelMemory.size(sw * sh * 3, w * h * 3));
    const src = mem.u8(sw * sh * 3);
    const out = mem.u8(w * h * 3);
    for (let i = 0; i < src.view.length; i++) src.view[i] = Math.floor(rnd() * 256);
    // A 12° rotation that reaches past every edge of the source.
    const [c, s] = [Math.cos(0.21), Math.sin(0.21)];
    const [ox, oy] = [-4.3, -6.7];
    mem.kernels.level(src.ptr, sw, sh, out.ptr, w, h, ox, oy, c, s, -s, c);
    const at = (x: number, y: number, k: number) =>
      src.view[(Math.max(0, Math.min(sh - 1, y)) * sw + Math.max(0, Math.min(sw - 1, x))) * 3 + k]!;
    for (let v = 0; v < h; v++) {
      for (let u = 0; u < w; u++) {
        const x = ox + u * c - v * s;
        const y = oy + u * s + v * c;
        const [fx, fy] = [Math.floor(x), Math.floor(y)];
        const [wx, wy] = [x - fx, y - fy];
        for (let k = 0; k < 3; k++) {
          const top = at(fx, fy, k) * (1 - wx) + at(fx + 1, fy, k) * wx;
          const bottom = at(fx, fy + 1, k) * (1 - wx) + at(fx + 1, fy + 1, k) * wx;
          // Weights truncated to 1/256 (≤ 1 level on this noise, where neighbours differ by up to
          // 255) plus rounding to an integer: within 1.5 levels of the exact interpolation.
          expect(Math.abs(out.view[(v * w + u) * 3 + k]! - (top + (bottom - top) * wy))).toBeLessThanOrEqual(
            1.5,
          );
        }
      }
    }
  });
});

describe("blur", () => {
  it("is the mean over each pixel's window clipped at the borders", () => {
    const rnd = random(4);
    for (const [w, h, r] of [
      [37, 23, 4],
      [8, 5, 3],
      [5, 9, 12],
      [1, 1, 2],
      [33, 17, 1],
    ] as const) {
      const src = Float32Array.from({ length: w * h }, () => rnd() * 255);
      const out = boxBlur(src, w, h, r);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = 0;
          let n = 0;
          for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++)
            for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++, n++) sum += src[v * w + u]!;
          expect(out[y * w + x]).toBeCloseTo(sum / n, 3);
        }
      }
    }
  });
});
