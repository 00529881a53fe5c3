// Drawn inputs for matte tests: a canvas coloured point by point, what the segmentation model
// says at each point, and optionally the photo's edge with the canvas fading out past it; and
// planes of block means drawn as text.

import { EDGE_FADE, type FramedCanvas } from "../../../src/engine/source-image";
import { SEGMENT_SIZE } from "../../../src/engine/segmenter";
import { canvasGuide, computeMatte, matteGrid, type Matte } from "../../../src/engine/matte";

type Rgb = [number, number, number];

/**
 * A `w` × `h` canvas with `colour(x, y)` per pixel and the model's `person(x, y)` (0..1) sampled
 * on its SEGMENT_SIZE² grid. With `edge`, the photo ends at x = edge: coverage fades from 1 to 0
 * over EDGE_FADE pixels past it (as `renderCanvas` pads).
 */
export function drawn(
  w: number,
  h: number,
  colour: (x: number, y: number) => Rgb,
  person: (x: number, y: number) => number,
  edge?: number,
): { canvas: FramedCanvas; coarse: Float32Array } {
  const rgb = new Uint8Array(w * h * 3);
  const coverage = edge === undefined ? null : new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      rgb.set(colour(x, y), (y * w + x) * 3);
      if (coverage) coverage[y * w + x] = Math.max(0, Math.min(1, 1 - (x + 0.5 - edge!) / EDGE_FADE));
    }
  }
  const coarse = new Float32Array(SEGMENT_SIZE * SEGMENT_SIZE).map((_, i) => {
    const [u, v] = [i % SEGMENT_SIZE, Math.floor(i / SEGMENT_SIZE)];
    return person(((u + 0.5) * w) / SEGMENT_SIZE, ((v + 0.5) * h) / SEGMENT_SIZE);
  });
  return { canvas: { rgb, width: w, height: h, coverage, padded: coverage !== null }, coarse };
}

/** The matte of a drawn canvas, both halves from the canvas itself (no subject prior). */
export function matteOf({ canvas, coarse }: ReturnType<typeof drawn>): Matte {
  return computeMatte(canvas, matteGrid(canvasGuide(canvas), coarse, canvas.width, canvas.height));
}

/** A plane of block means drawn as text: `#` opaque, `+` faint (0.3), `.` clear. */
export function plane(rows: string[]) {
  const w = rows[0]!.length;
  const mean = new Float32Array(w * rows.length);
  rows.forEach((row, y) =>
    [...row].forEach((c, x) => (mean[y * w + x] = c === "#" ? 1 : c === "+" ? 0.3 : 0)),
  );
  const at = (x: number, y: number) => y * w + x;
  const drawn = (drop: Uint8Array | null) =>
    rows.map((row, y) => [...row].map((c, x) => (drop?.[at(x, y)] ? "x" : c)).join(""));
  return { mean, w, h: rows.length, at, drawn };
}
