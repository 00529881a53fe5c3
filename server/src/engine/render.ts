// Step 6: one style = a studio backdrop behind the matted subject plus a grade (shared/styles.ts).
// Every grade in the catalogue (exposure, contrast, saturation, warmth, monochrome) is affine in
// colour, so each style is a small matrix over a few per-pixel layers computed once per photo.

import type { Style } from "@headshot/shared";
import type { Scratch } from "./scratch";

/** How much the backdrop darkens next to the subject (a soft contact shadow). */
const SHADOW_STRENGTH = 0.22;
const LUMA = [0.299, 0.587, 0.114] as const;

/** Style-independent layers of one canvas. */
export interface Layers {
  width: number;
  height: number;
  /** Premultiplied subject colour (alpha × RGB, 0..255), one plane per channel. */
  subject: [Float32Array, Float32Array, Float32Array];
  alpha: Float32Array;
  /** Backdrop visibility: (1 − alpha) × contact shadow. */
  backdrop: Float32Array;
  /** `backdrop` × radial falloff (0 at the light's centre, 1 at its radius). */
  backdropFalloff: Float32Array;
  /** Per pixel: 0 backdrop only (alpha 0), 1 subject only (alpha 1), 2 both. */
  kind: Uint8Array;
  /** Rows [y0, y1) that are filled (the requested output windows); others hold stale values. */
  y0: number;
  y1: number;
}

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

/**
 * `gains` are the white-balance gains applied to the foreground on the way.
 * `shadow` is a blurred, offset copy of the matte (at a reduced size); the backdrop light is
 * centred on (cx, cy) and reaches the edge colour at `radius`, like a lit paper backdrop.
 */
export function buildLayers(
  foreground: Uint8Array,
  gains: readonly [number, number, number],
  alpha: Float32Array,
  shadow: SmallPlane,
  w: number,
  h: number,
  light: { cx: number; cy: number; radius: number },
  rows: RowRange = { y0: 0, y1: h },
  scratch?: Scratch,
): Layers {
  const n = w * h;
  const f32 = (key: string) => (scratch ? scratch.f32(key, n) : new Float32Array(n));
  const subject: Layers["subject"] = [f32("S0"), f32("S1"), f32("S2")];
  const [S0, S1, S2] = subject;
  const backdrop = f32("backdrop");
  const backdropFalloff = f32("backdropFalloff");
  const kind = scratch ? scratch.u8("kind", n) : new Uint8Array(n);
  const { y0, y1 } = rows;
  // Gains as lookup tables: min(255, gain × v).
  const lut = gains.map((g) => Float32Array.from({ length: 256 }, (_, v) => Math.min(255, g * v))) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const [L0, L1, L2] = lut;
  const { data: sd, width: hw, height: hh } = shadow;
  const fx = hw / w;
  const fy = hh / h;
  const xs0 = new Int32Array(w);
  const xs1 = new Int32Array(w);
  const xw = new Float32Array(w);
  const dx2 = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const sx = Math.max(0, Math.min(hw - 1, (x + 0.5) * fx - 0.5));
    xs0[x] = sx | 0;
    xs1[x] = Math.min(hw - 1, (sx | 0) + 1);
    xw[x] = sx - (sx | 0);
    const dx = (x - light.cx) / light.radius;
    dx2[x] = dx * dx;
  }
  for (let y = y0; y < y1; y++) {
    const dy = (y - light.cy) / light.radius;
    const dy2 = dy * dy;
    const sy = Math.max(0, Math.min(hh - 1, (y + 0.5) * fy - 0.5));
    const r0 = (sy | 0) * hw;
    const r1 = Math.min(hh - 1, (sy | 0) + 1) * hw;
    const wy = sy - (sy | 0);
    for (let x = 0, i = y * w; x < w; x++, i++) {
      const a = alpha[i]!;
      // Scratch planes hold the previous job's values: each pixel writes the layers its kind
      // reads (kind 0: backdrop ones, 1: subject, 2: all), and renderStyle reads no others.
      if (a > 0) {
        const o = i * 3;
        S0[i] = L0[foreground[o]!]! * a;
        S1[i] = L1[foreground[o + 1]!]! * a;
        S2[i] = L2[foreground[o + 2]!]! * a;
        if (a >= 1) {
          kind[i] = 1;
          continue;
        }
        kind[i] = 2;
      } else kind[i] = 0;
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
  return { width: w, height: h, subject, alpha, backdrop, backdropFalloff, kind, y0, y1 };
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

/** Renders rows [layers.y0, layers.y1) into `into` (w × h × 3, reused) or a new array. */
export function renderStyle(style: Style, layers: Layers, into?: Uint8Array): Uint8Array {
  const { width: w, height: h, subject, alpha, backdrop, backdropFalloff } = layers;
  const { m, kA, kB, kF, k0 } = styleMatrix(style);
  const [P0, P1, P2] = subject;
  const [m00, m01, m02] = m[0]! as [number, number, number];
  const [m10, m11, m12] = m[1]! as [number, number, number];
  const [m20, m21, m22] = m[2]! as [number, number, number];
  const [a0, a1, a2] = kA as [number, number, number];
  const [b0, b1, b2] = kB as [number, number, number];
  const [f0, f1, f2] = kF as [number, number, number];
  const [c0, c1, c2] = k0 as [number, number, number];
  // A clamped array rounds and clamps on store, natively. Pure backdrop and pure subject
  // pixels (most of the frame, in long runs) read only the layers they depend on.
  const out = into
    ? new Uint8ClampedArray(into.buffer, into.byteOffset, w * h * 3)
    : new Uint8ClampedArray(w * h * 3);
  const { kind, y0, y1 } = layers;
  const s0 = a0 + c0,
    s1 = a1 + c1,
    s2 = a2 + c2;
  for (let y = y0; y < y1; y++) {
    const dy = (y * 13) & 15;
    for (let x = 0, i = y * w; x < w; x++, i++) {
      // Ordered dither (±0.75) keeps smooth backdrop gradients free of JPEG banding.
      const d = (((x * 7 + dy) & 15) - 7.5) * 0.1;
      const o = i * 3;
      const k = kind[i]!;
      if (k === 0) {
        const bk = backdrop[i]!,
          f = backdropFalloff[i]!;
        out[o] = b0 * bk + f0 * f + c0 + d;
        out[o + 1] = b1 * bk + f1 * f + c1 + d;
        out[o + 2] = b2 * bk + f2 * f + c2 + d;
      } else if (k === 1) {
        const p0 = P0[i]!,
          p1 = P1[i]!,
          p2 = P2[i]!;
        out[o] = m00 * p0 + m01 * p1 + m02 * p2 + s0 + d;
        out[o + 1] = m10 * p0 + m11 * p1 + m12 * p2 + s1 + d;
        out[o + 2] = m20 * p0 + m21 * p1 + m22 * p2 + s2 + d;
      } else {
        const p0 = P0[i]!,
          p1 = P1[i]!,
          p2 = P2[i]!,
          a = alpha[i]!,
          bk = backdrop[i]!,
          f = backdropFalloff[i]!;
        out[o] = m00 * p0 + m01 * p1 + m02 * p2 + a0 * a + b0 * bk + f0 * f + c0 + d;
        out[o + 1] = m10 * p0 + m11 * p1 + m12 * p2 + a1 * a + b1 * bk + f1 * f + c1 + d;
        out[o + 2] = m20 * p0 + m21 * p1 + m22 * p2 + a2 * a + b2 * bk + f2 * f + c2 + d;
      }
    }
  }
  return into ?? new Uint8Array(out.buffer);
}
