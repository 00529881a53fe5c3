// Step 6: one style = a studio backdrop behind the matted subject plus a grade (shared/styles.ts).
// Every grade in the catalogue (exposure, contrast, saturation, warmth, monochrome) is affine in
// colour, so each style is a small matrix over a few per-pixel layers computed once per photo;
// the SIMD `render` kernel (wasm/kernels.wat) applies it.

import type { Style } from "@headshot/shared";
import { bilinearTaps } from "./matte";
import { KernelMemory } from "./wasm/kernels";

/** How much the backdrop darkens next to the subject (a soft contact shadow). */
const SHADOW_STRENGTH = 0.22;
const LUMA = [0.299, 0.587, 0.114] as const;

/** Rows of the canvas to build and render: all by default. */
export interface RowRange {
  y0: number;
  y1: number;
}

/** A single-channel plane at a reduced size, sampled bilinearly (pixel-centre aligned). */
export interface SmallPlane {
  data: Float32Array;
  width: number;
  height: number;
}

type Plane = { ptr: number; view: Float32Array };

/**
 * The style-independent layers of a canvas of `width` × `height` and two output buffers, in one
 * kernel instance's memory; made once per canvas size and reused across jobs.
 */
export class StyleRenderer {
  /** Premultiplied subject colour (alpha × RGB, 0..255), one plane per channel. */
  readonly subject: [Plane, Plane, Plane];
  readonly alpha: Plane;
  /** Backdrop visibility: (1 − alpha) × contact shadow. */
  readonly backdrop: Plane;
  /** `backdrop` × radial falloff (0 at the light's centre, 1 at its radius). */
  readonly backdropFalloff: Plane;
  private readonly outputs: [{ ptr: number; view: Uint8Array }, { ptr: number; view: Uint8Array }];
  private readonly coef: Plane;
  private readonly quarterOut: { ptr: number; view: Uint8Array };
  private readonly memory: KernelMemory;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    if (width % 4 !== 0) throw new Error("canvas width must be a multiple of 4");
    const n = width * height;
    this.memory = new KernelMemory();
    const quarter = (width / 4) * Math.floor(height / 4) * 3;
    this.memory.reset(KernelMemory.size(...Array<number>(6).fill(n * 4), n * 3, n * 3, 21 * 4, quarter));
    const plane = () => this.memory.f32(n);
    this.subject = [plane(), plane(), plane()];
    this.alpha = plane();
    this.backdrop = plane();
    this.backdropFalloff = plane();
    this.outputs = [this.memory.u8(n * 3), this.memory.u8(n * 3)];
    this.coef = this.memory.f32(21);
    this.quarterOut = this.memory.u8(quarter);
  }

  /**
   * Fills the layers' `rows` from the decontaminated foreground (white-balance `gains` applied on
   * the way) and the matte. `shadow` is a blurred, offset copy of the matte (at a reduced size);
   * the backdrop light is centred on (cx, cy) and reaches the edge colour at `radius`, like a lit
   * paper backdrop.
   */
  build(
    foreground: Uint8Array,
    gains: readonly [number, number, number],
    alpha: Float32Array,
    shadow: SmallPlane,
    light: { cx: number; cy: number; radius: number },
    rows: RowRange,
  ): void {
    const { width: w, height: h } = this;
    const [S0, S1, S2] = this.subject.map((p) => p.view) as [Float32Array, Float32Array, Float32Array];
    const A = this.alpha.view;
    const backdrop = this.backdrop.view;
    const backdropFalloff = this.backdropFalloff.view;
    // Gains as lookup tables: min(255, gain × v).
    const [L0, L1, L2] = gains.map((g) =>
      Float32Array.from({ length: 256 }, (_, v) => Math.min(255, g * v)),
    ) as [Float32Array, Float32Array, Float32Array];
    const { data: sd, width: hw, height: hh } = shadow;
    const fy = hh / h;
    const { i0: xs0, i1: xs1, t: xw } = bilinearTaps(w, hw);
    const dx2 = new Float32Array(w);
    for (let x = 0; x < w; x++) {
      const dx = (x - light.cx) / light.radius;
      dx2[x] = dx * dx;
    }
    for (let y = rows.y0; y < rows.y1; y++) {
      const dy = (y - light.cy) / light.radius;
      const dy2 = dy * dy;
      const sy = Math.max(0, Math.min(hh - 1, (y + 0.5) * fy - 0.5));
      const r0 = (sy | 0) * hw;
      const r1 = Math.min(hh - 1, (sy | 0) + 1) * hw;
      const wy = sy - (sy | 0);
      for (let x = 0, i = y * w; x < w; x++, i++) {
        const a = alpha[i]!;
        A[i] = a;
        // The kernel reads every layer of every pixel, so each is written, zero where unused.
        if (a > 0) {
          const o = i * 3;
          S0[i] = L0[foreground[o]!]! * a;
          S1[i] = L1[foreground[o + 1]!]! * a;
          S2[i] = L2[foreground[o + 2]!]! * a;
          if (a >= 1) {
            backdrop[i] = 0;
            backdropFalloff[i] = 0;
            continue;
          }
        } else {
          S0[i] = 0;
          S1[i] = 0;
          S2[i] = 0;
        }
        const c0 = xs0[x]!;
        const c1 = xs1[x]!;
        const top = sd[r0 + c0]! + (sd[r0 + c1]! - sd[r0 + c0]!) * xw[x]!;
        const bot = sd[r1 + c0]! + (sd[r1 + c1]! - sd[r1 + c0]!) * xw[x]!;
        const sh = top + (bot - top) * wy;
        const t = Math.min(1, Math.sqrt(dx2[x]! + dy2));
        const b = (1 - a) * (1 - SHADOW_STRENGTH * sh);
        backdrop[i] = b;
        backdropFalloff[i] = b * t * t * (3 - 2 * t);
      }
    }
  }

  /**
   * Renders `rows` of one style into output buffer `slot` (0 or 1) and returns it (width × height
   * × 3, RGB); rows outside `rows` hold stale values. A slot is overwritten by its next render.
   */
  render(style: Style, rows: RowRange, slot: 0 | 1): Uint8Array {
    const { m, kA, kB, kF, k0 } = styleMatrix(style);
    const coef = this.coef.view;
    for (let c = 0; c < 3; c++)
      coef.set([m[c]![0]!, m[c]![1]!, m[c]![2]!, kA[c]!, kB[c]!, kF[c]!, k0[c]!], c * 7);
    const [s0, s1, s2] = this.subject;
    const out = this.outputs[slot];
    this.memory.kernels.render(
      s0.ptr,
      s1.ptr,
      s2.ptr,
      this.alpha.ptr,
      this.backdrop.ptr,
      this.backdropFalloff.ptr,
      out.ptr,
      this.width,
      rows.y0,
      rows.y1,
      this.coef.ptr,
    );
    return out.view;
  }

  /** A quarter-size copy (the mean of each 4 × 4 block) of rows [top, top + height) of output
   * `slot`; `height` is a multiple of 4. */
  quarter(slot: 0 | 1, top: number, height: number): Uint8Array {
    const stride = this.width * 3;
    this.memory.kernels.quarter(
      this.outputs[slot].ptr + top * stride,
      stride,
      this.width,
      height,
      this.quarterOut.ptr,
    );
    return this.quarterOut.view.slice(0, (this.width / 4) * (height / 4) * 3);
  }
}

/** out = M·subject + kA·alpha + kB·backdrop + kF·backdropFalloff + k0, per output channel. */
interface StyleMatrix {
  m: number[][];
  kA: number[];
  kB: number[];
  kF: number[];
  k0: number[];
}

export function styleMatrix(style: Style): StyleMatrix {
  const { exposure: e, contrast: c, saturation: s, warmth } = style.grade;
  const { center, edge } = style.backdrop;
  // Saturation mixes each channel with luma; monochrome (s = 0) is the same matrix.
  const sat = [0, 1, 2].map((r) => [0, 1, 2].map((k) => (r === k ? s : 0) + (1 - s) * LUMA[k]!));
  // Warmth and the backdrop are added after the subject's grade; monochrome applies to them too.
  const mono = s === 0 ? sat : [0, 1, 2].map((r) => [0, 1, 2].map((k) => (r === k ? 1 : 0)));
  const apply = (v: readonly number[]) =>
    mono.map((row) => row[0]! * v[0]! + row[1]! * v[1]! + row[2]! * v[2]!);
  return {
    m: sat.map((row) => row.map((v) => v * e * c)),
    kA: [0, 1, 2].map(() => 128 * (1 - c)),
    kB: apply(center),
    kF: apply([edge[0] - center[0], edge[1] - center[1], edge[2] - center[2]]),
    k0: apply([warmth, 0, -warmth]),
  };
}
