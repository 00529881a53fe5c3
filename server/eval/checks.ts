// The quality report's automatic checks on one output (SPEC §7.2.1): measured on the output as a
// customer gets it (its face found again by the detector) and on the matte the engine used.

import type { Face } from "../src/engine/face-detector";
import type { Framing } from "../src/engine/framing";
import { sourceToCanvas, type Point, type RgbImage } from "../src/engine/geometry";

/** Bounds each check holds the output to, and why. */
export const BOUNDS = {
  /** SPEC §7.2.1: eye line 35–45 % (±1 % for re-detection on the output). */
  eyeLine: [0.34, 0.46] as const,
  /** The face centred: eye midpoint within 5 % of the width of the middle. */
  centre: 0.05,
  /** Eyes level within 8°, re-measured on the output (+1° for re-detection). */
  tiltDegrees: 9,
  /** The subject reaches the frame's bottom edge: an opaque run over a quarter of the bottom row
   * (a torso at the preferred head size is ~0.4–0.5 of the width). */
  bottomFill: 0.25,
  /** Leftovers: matte mass apart from the subject, as a share of the frame. */
  islands: 0.002,
  /** Skin tone: the face's mean CIELAB (`facePoints`), the photo with the engine's
   * reported white balance applied against each colour output: the cast correction is the one
   * change of skin colour the engine makes on purpose, and is bounded on its own (colour/light.ts).
   * Hue within 5° (a just-noticeable hue change on skin is ~2–3°); lightness within 12 L* (the
   * styles' exposure and contrast grades and the face-exposure match move it on purpose, by up
   * to ~10 on a dark face on a white backdrop). */
  hueDegrees: 5,
  lightness: 12,
} as const;

export interface OutputChecks {
  faces: number;
  eyeLine: number | null;
  centre: number | null;
  tiltDegrees: number | null;
  bottomFill: number;
  islands: number;
  skin: { lightness: number; hueDegrees: number } | null;
}

export interface Window {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** The longest run of the window's bottom row where the subject is opaque (≥ 0.5), as a share of
 * its width: a body running off the frame fills a good part of it (a leaning body need not be
 * under the face); a floating bust leaves it empty. */
export function bottomFill(alpha: Float32Array, canvasWidth: number, win: Window): number {
  const row = (win.top + win.height - 1) * canvasWidth + win.left;
  let [run, longest] = [0, 0];
  for (let x = 0; x < win.width; x++) {
    run = alpha[row + x]! >= 0.5 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest / win.width;
}

/**
 * Matte mass (α ≥ 0.25, on 4 × 4 blocks) not connected to the subject's eyes, as a share of the
 * window: another person's hair, a stray limb, an object left in.
 */
export function islands(alpha: Float32Array, canvasWidth: number, win: Window, eye: Point): number {
  const b = 4;
  const [bw, bh] = [Math.floor(win.width / b), Math.floor(win.height / b)];
  const on = new Uint8Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let sum = 0;
      for (let y = 0; y < b; y++) {
        const row = (win.top + by * b + y) * canvasWidth + win.left + bx * b;
        for (let x = 0; x < b; x++) sum += alpha[row + x]!;
      }
      on[by * bw + bx] = sum / (b * b) >= 0.25 ? 1 : 0;
    }
  }
  const seen = new Uint8Array(bw * bh);
  const start = Math.floor((eye.y - win.top) / b) * bw + Math.floor((eye.x - win.left) / b);
  const stack = on[start] ? [start] : [];
  if (stack.length) seen[start] = 1;
  while (stack.length) {
    const j = stack.pop()!;
    const [x, y] = [j % bw, Math.floor(j / bw)];
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      const [nx, ny] = [x + dx, y + dy];
      const k = ny * bw + nx;
      if (nx >= 0 && ny >= 0 && nx < bw && ny < bh && on[k] && !seen[k]) {
        seen[k] = 1;
        stack.push(k);
      }
    }
  }
  let apart = 0;
  for (let j = 0; j < on.length; j++) if (on[j] && !seen[j]) apart++;
  return apart / on.length;
}

/** The CIELAB of the mean colour over small patches (0: single pixels) at `points` of an RGB
 * image, its channels scaled by `gains` (the engine's white balance, to compare a photo with the
 * outputs made from it). The mean is taken in sRGB, as the engine's colour steps keep it. */
export function skinLab(
  image: RgbImage,
  points: readonly Point[],
  radius: number,
  gains: readonly [number, number, number] = [1, 1, 1],
): [number, number, number] | null {
  const sum: [number, number, number] = [0, 0, 0];
  let n = 0;
  const r = Math.max(0, Math.round(radius));
  for (const p of points) {
    for (let y = Math.round(p.y) - r; y <= Math.round(p.y) + r; y++) {
      for (let x = Math.round(p.x) - r; x <= Math.round(p.x) + r; x++) {
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
        const o = (y * image.width + x) * 3;
        for (const k of [0, 1, 2] as const) sum[k] += Math.min(255, image.data[o + k]! * gains[k]);
        n++;
      }
    }
  }
  return n ? toLab(sum[0] / n, sum[1] / n, sum[2] / n) : null;
}

/** Below this chroma (CIELAB C*) a colour has no hue to keep: a monochrome photo's skin. */
const HUELESS = 6;

/** Skin-tone shift between two CIELAB means: lightness and hue angle (degrees; 0 when the input
 * has no hue). */
export function skinShift(before: readonly number[], after: readonly number[]) {
  if (Math.hypot(before[1]!, before[2]!) < HUELESS)
    return { lightness: after[0]! - before[0]!, hueDegrees: 0 };
  const hue = (lab: readonly number[]) => (Math.atan2(lab[2]!, lab[1]!) * 180) / Math.PI;
  let dh = hue(after) - hue(before);
  dh = ((dh + 540) % 360) - 180;
  return { lightness: after[0]! - before[0]!, hueDegrees: dh };
}

/** Points over the face (photo pixels, a grid of about 40 across the face ellipse) that
 * land on the opaque subject, in the photo and in an aspect's window: the face's mean colour is
 * measured over these (the local cast removal moves single patches on purpose, never the mean). */
export function facePoints(
  face: Face,
  framing: Framing,
  alpha: Float32Array,
  win: Window,
): { photo: Point[]; output: Point[] } {
  const photo: Point[] = [];
  const output: Point[] = [];
  const { x, y, width, height } = face.box;
  // The ellipse the engine's colour steps work in (pipeline.ts).
  const [cx, cy, rx, ry] = [x + width / 2, y + height / 2, 0.55 * width, 0.65 * height];
  const step = Math.max(1, width / 40);
  for (let py = cy - ry; py <= cy + ry; py += step) {
    for (let px = cx - rx; px <= cx + rx; px += step) {
      if (((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1) continue;
      const q = sourceToCanvas(framing, { x: px, y: py });
      const [u, v] = [Math.round(q.x), Math.round(q.y)];
      if (u < 0 || v < 0 || u >= framing.canvas.width || v >= framing.canvas.height) continue;
      if (alpha[v * framing.canvas.width + u]! < 0.95) continue;
      photo.push({ x: px, y: py });
      output.push({ x: q.x - win.left, y: q.y - win.top });
    }
  }
  return { photo, output };
}

/** sRGB (D65) to CIELAB. */
export function toLab(r: number, g: number, b: number): [number, number, number] {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
