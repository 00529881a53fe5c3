// The guide: the colours the guided filter follows and uniform blocks vote with, as planes on the
// matte's working grid, from the canvas itself or from a preview levelled onto the grid.

import type { FramedCanvas } from "../source-image";
import { gridSize, type GuidePlanes } from "./grid";
const SUB = 4;

/** The canvas' colours on the matte's working grid (SUB×SUB block means). */
export function canvasGuide(canvas: FramedCanvas): GuidePlanes {
  return downsample(canvas.rgb, canvas.width, canvas.height);
}

/** Guide planes from a preview levelled onto the matte's working grid (interleaved 8-bit RGB). */
export function previewGuide(rgb: Uint8Array): GuidePlanes {
  const n = rgb.length / 3;
  const planes: GuidePlanes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    planes[0][i] = rgb[o]! / 255;
    planes[1][i] = rgb[o + 1]! / 255;
    planes[2][i] = rgb[o + 2]! / 255;
  }
  return planes;
}

/** SUB×SUB-averaged RGB planes in 0..1. */
function downsample(rgb: Uint8Array, w: number, h: number): GuidePlanes {
  const { width: sw, height: sh } = gridSize(w, h);
  const planes: GuidePlanes = [
    new Float32Array(sw * sh),
    new Float32Array(sw * sh),
    new Float32Array(sw * sh),
  ];
  const sub = SUB; // a local for the loops (grid.ts)
  const norm = 1 / (255 * sub * sub);
  const [p0, p1, p2] = planes;
  // Same order of additions per block as a plain pixel loop (rows, then columns).
  for (let y = 0; y < sh * sub; y++) {
    const row = ((y / sub) | 0) * sw;
    for (let bx = 0, o = y * w * 3; bx < sw; bx++) {
      const j = row + bx;
      let r = p0[j]!,
        g = p1[j]!,
        b = p2[j]!;
      for (let k = 0; k < sub; k++, o += 3) {
        r = Math.fround(r + rgb[o]! * norm);
        g = Math.fround(g + rgb[o + 1]! * norm);
        b = Math.fround(b + rgb[o + 2]! * norm);
      }
      p0[j] = r;
      p1[j] = g;
      p2[j] = b;
    }
  }
  return planes;
}
