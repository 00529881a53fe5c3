// The engine's SIMD kernels (src/engine/wasm) against plain reference formulas, and the committed
// binary against its WebAssembly text source.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { STYLES } from "@headshot/shared";
import { compileKernels, WASM } from "../../src/engine/wasm/build";
import { KernelMemory, sharedKernels } from "../../src/engine/wasm/kernels";
import { StyleRenderer, styleMatrix } from "../../src/engine/render";
import { boxBlur } from "../../src/engine/filters";

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
  it("builds the backdrop layers and applies each style's matrix with the ordered dither", () => {
    const rnd = random(1);
    const [w, h] = [64, 48];
    const renderer = new StyleRenderer(w, h, 2);
    const A = renderer.alpha.view;
    const fg = renderer.foreground.view;
    // The left 16 columns transparent (the kernel's backdrop-only path), the rest mixed.
    for (let i = 0; i < w * h; i++) A[i] = i % w < 16 || rnd() < 0.3 ? 0 : rnd() < 0.5 ? 1 : rnd();
    for (let i = 0; i < fg.length; i++) fg[i] = Math.floor(rnd() * 256);
    const shadow = { data: Float32Array.from({ length: 16 * 12 }, rnd), width: 16, height: 12 };
    const light = { cx: 30, cy: 20, radius: 50 };
    const gains = [1.1, 0.95, 1.3] as const; // 1.3 × 255 is past 255: the clamp is exercised
    const rows = { y0: 5, y1: 40 };
    renderer.build(gains, shadow, light, rows);

    const [B, F] = [renderer.backdrop.view, renderer.backdropFalloff.view];
    const sample = (x: number, y: number) => {
      const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
      const sx = clamp((x + 0.5) / 4 - 0.5, 16);
      const sy = clamp((y + 0.5) / 4 - 0.5, 12);
      const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
      const at = (u: number, v: number) => shadow.data[clamp(v, 12) * 16 + clamp(u, 16)]!;
      const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * (sx - x0);
      const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * (sx - x0);
      return top + (bottom - top) * (sy - y0);
    };
    for (let y = rows.y0; y < rows.y1; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const b = A[i]! >= 1 ? 0 : (1 - A[i]!) * (1 - 0.22 * sample(x, y));
        const t = Math.min(1, Math.hypot(x - light.cx, y - light.cy) / light.radius);
        expect(B[i]).toBeCloseTo(b, 5);
        expect(F[i]).toBeCloseTo(b * t * t * (3 - 2 * t), 5);
      }
    }

    let mismatched = 0;
    for (const style of STYLES) {
      const { m, kA, kB, kF, k0 } = styleMatrix(style);
      const out = renderer.render(style, rows, 0);
      for (let y = rows.y0; y < rows.y1; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const S = gains.map((g, k) => Math.min(255, g * fg[i * 3 + k]!) * A[i]!);
          const d = (((x * 7 + ((y * 13) & 15)) & 15) - 7.5) * 0.1;
          for (let c = 0; c < 3; c++) {
            const v =
              m[c]![0]! * S[0]! +
              m[c]![1]! * S[1]! +
              m[c]![2]! * S[2]! +
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
    const renderer = new StyleRenderer(w, h, 2);
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
    const mem = sharedKernels(KernelMemory.size(sw * sh * 3 + 2, w * h * 3));
    const src = mem.u8(sw * sh * 3 + 2);
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

    // And exactly the documented integer arithmetic (16.16 coordinates, 1/256 weights).
    const nearest = (x: number) => {
      const r = Math.round(x);
      return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; // half to even, as f64.nearest
    };
    const [dx, dy] = [nearest(c * 65536), nearest(s * 65536)];
    for (let v = 0; v < h; v++) {
      let x = nearest(65536 * (ox + v * -s));
      let y = nearest(65536 * (oy + v * c));
      for (let u = 0; u < w; u++, x += dx, y += dy) {
        const [fx, fy, wx, wy] = [x >> 16, y >> 16, (x >> 8) & 255, (y >> 8) & 255];
        for (let k = 0; k < 3; k++) {
          const top = (at(fx, fy, k) << 8) + (at(fx + 1, fy, k) - at(fx, fy, k)) * wx;
          const bottom = (at(fx, fy + 1, k) << 8) + (at(fx + 1, fy + 1, k) - at(fx, fy + 1, k)) * wx;
          expect(out.view[(v * w + u) * 3 + k]).toBe(((top << 8) + (bottom - top) * wy + 32768) >> 16);
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
