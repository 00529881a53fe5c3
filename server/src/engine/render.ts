// Step 6: one style = a studio backdrop behind the matted subject plus a grade (shared/styles.ts).
// Every grade in the catalogue (exposure, contrast, saturation, monochrome) is affine in
// colour, so each style is a small matrix over a few per-pixel layers (the premultiplied,
// white-balanced subject, alpha and the backdrop's light); the SIMD `render` kernel
// (wasm/kernels.wat) applies it.

import type { Style } from "@headshot/shared";
import { bilinearTaps } from "./sampling";
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
type Bytes = { ptr: number; view: Uint8Array };
type Words = { ptr: number; view: Int32Array };

/**
 * One canvas size's working set in kernel memory, made once and reused across jobs: the matte
 * (written by computeMatte), the backdrop layers, and an output buffer per style slot. The
 * subject layer (min(255, gain × foreground) × alpha) is computed by each render, not stored.
 */
export class StyleRenderer {
  /** Subject opacity per pixel (the matte). */
  readonly alpha: Plane;
  /** Decontaminated subject colours, RGB (the matte). */
  readonly foreground: Bytes;
  /** Backdrop visibility: (1 − alpha) × contact shadow. */
  readonly backdrop: Plane;
  /** `backdrop` × radial falloff (0 at the light's centre, 1 at its radius). */
  readonly backdropFalloff: Plane;
  private readonly outputs: Bytes[];
  private readonly coef: Plane;
  private readonly quarterOut: Bytes;
  private readonly shadow: Plane;
  private readonly taps: { i0: Words; i1: Words; t: Plane; dx2: Plane };
  private readonly memory: KernelMemory;

  /** `slots` output buffers, each holding one rendered style until its encodes finish. */
  constructor(
    readonly width: number,
    readonly height: number,
    readonly slots: number,
  ) {
    if (width % 4 !== 0) throw new Error("canvas width must be a multiple of 4");
    const n = width * height;
    const small = Math.floor(width / 4) * Math.floor(height / 4);
    const quarter = (width / 4) * Math.floor(height / 4) * 3;
    const words = [n, n, n, 24, small, width, width, width, width]; // 4-byte elements
    const bytes = [n * 3, ...Array<number>(slots).fill(n * 3), quarter];
    this.memory = new KernelMemory();
    this.memory.reset(KernelMemory.size(...words.map((l) => l * 4), ...bytes));
    const plane = () => this.memory.f32(n);
    this.alpha = plane();
    this.backdrop = plane();
    this.backdropFalloff = plane();
    this.coef = this.memory.f32(24);
    this.shadow = this.memory.f32(small);
    // The render kernel reads 16 bytes for the last 4 pixels' 12: `foreground` must not be last.
    this.foreground = this.memory.u8(n * 3);
    this.outputs = Array.from({ length: slots }, () => this.memory.u8(n * 3));
    this.quarterOut = this.memory.u8(quarter);
    this.taps = {
      i0: this.memory.i32(width),
      i1: this.memory.i32(width),
      t: this.memory.f32(width),
      dx2: this.memory.f32(width),
    };
  }

  /**
   * Prepares a job: the white-balance `gains` every render applies to the foreground, and the
   * backdrop layers' `rows` from `alpha` (the `build` kernel). `shadow` is a blurred, offset copy
   * of the matte at a quarter of the canvas size; the backdrop light is centred on (cx, cy) and
   * reaches the edge colour at `radius`, like a lit paper backdrop.
   */
  build(
    gains: readonly [number, number, number],
    shadow: SmallPlane,
    light: { cx: number; cy: number; radius: number },
    rows: RowRange,
  ): void {
    const { width: w, height: h } = this;
    this.coef.view.set(gains, 21);
    const { data, width: hw, height: hh } = shadow;
    this.shadow.view.set(data.subarray(0, this.shadow.view.length));
    const { i0, i1, t } = bilinearTaps(w, hw);
    this.taps.i0.view.set(i0);
    this.taps.i1.view.set(i1);
    this.taps.t.view.set(t);
    for (let x = 0; x < w; x++) {
      const dx = (x - light.cx) / light.radius;
      this.taps.dx2.view[x] = dx * dx;
    }
    this.memory.kernels.build(
      this.alpha.ptr,
      this.backdrop.ptr,
      this.backdropFalloff.ptr,
      this.shadow.ptr,
      hw,
      hh,
      this.taps.i0.ptr,
      this.taps.i1.ptr,
      this.taps.t.ptr,
      this.taps.dx2.ptr,
      w,
      rows.y0,
      rows.y1,
      hh / h,
      light.cy,
      light.radius,
      SHADOW_STRENGTH,
    );
  }

  /**
   * Renders `rows` of one style (after `build`) into output buffer `slot` and returns it (width × height × 3,
   * RGB); rows outside `rows` hold stale values. A slot is overwritten by its next render.
   * `subjectGain` scales the subject's exposure (`faceExposure`).
   */
  render(style: Style, rows: RowRange, slot: number, subjectGain = 1): Uint8Array {
    const { m, kA, kB, kF, k0 } = styleMatrix(style, subjectGain);
    const coef = this.coef.view;
    for (let c = 0; c < 3; c++)
      coef.set([m[c]![0]!, m[c]![1]!, m[c]![2]!, kA[c]!, kB[c]!, kF[c]!, k0[c]!], c * 7);
    const out = this.outputs[slot]!;
    this.memory.kernels.render(
      this.foreground.ptr,
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
  quarter(slot: number, top: number, height: number): Uint8Array {
    const stride = this.width * 3;
    this.memory.kernels.quarter(
      this.outputs[slot]!.ptr + top * stride,
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

export function styleMatrix(style: Style, subjectGain = 1): StyleMatrix {
  const { exposure, contrast: c, saturation: s } = style.grade;
  const e = exposure * subjectGain;
  const { center, edge } = style.backdrop;
  // Saturation mixes each channel with luma; monochrome (s = 0) is the same matrix.
  const sat = [0, 1, 2].map((r) => [0, 1, 2].map((k) => (r === k ? s : 0) + (1 - s) * LUMA[k]!));
  // The backdrop is added after the subject's grade; monochrome applies to it too.
  const mono = s === 0 ? sat : [0, 1, 2].map((r) => [0, 1, 2].map((k) => (r === k ? 1 : 0)));
  const apply = (v: readonly number[]) =>
    mono.map((row) => row[0]! * v[0]! + row[1]! * v[1]! + row[2]! * v[2]!);
  return {
    m: sat.map((row) => row.map((v) => v * e * c)),
    kA: [0, 1, 2].map(() => 128 * (1 - c)),
    kB: apply(center),
    kF: apply([edge[0] - center[0], edge[1] - center[1], edge[2] - center[2]]),
    k0: [0, 0, 0],
  };
}
