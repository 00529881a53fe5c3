// The fade past the photo's edge: where the frame reaches past the photo, the matte's block means
// and, last, its pixels are multiplied by the canvas' coverage (`FramedCanvas.coverage`).

import { tempF32 } from "../temporaries";
import { gridSize, SUB } from "./grid";

/** Each block mean × the block's mean coverage. */
export function fadeBlocks(alphaSmall: Float32Array, coverage: Float32Array, w: number, h: number): void {
  const { width: sw, height: sh } = gridSize(w, h);
  // Per block, the coverage missing from its SUB × SUB pixels (most blocks: none).
  const missing = tempF32("fade.missing", sw * sh).fill(0, 0, sw * sh);
  const sub = SUB; // a local for the loops (grid.ts)
  for (let y = 0; y < sh * sub; y++) {
    const blockRow = ((y / sub) | 0) * sw;
    forPaddedEnds(coverage, y * w, sw * sub, (x, c) => {
      const j = blockRow + ((x / sub) | 0);
      missing[j] = missing[j]! + 1 - c;
    });
  }
  for (let j = 0; j < sw * sh; j++) {
    if (missing[j] !== 0) alphaSmall[j] = alphaSmall[j]! * (1 - missing[j]! / (sub * sub));
  }
}

/**
 * Alpha × coverage, on the finished matte: the fade stays the smooth ramp the coverage is (edge
 * refinement would have steepened it in bands wherever background colours are near).
 */
export function fadePixels(alpha: Float32Array, coverage: Float32Array, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    const row = y * w;
    forPaddedEnds(coverage, row, w, (x, c) => (alpha[row + x] = alpha[row + x]! * c));
  }
}

/**
 * Calls `f(x, coverage)` for the first `n` columns of the row at `row` where the coverage is below
 * 1: only its two ends need looking at (`FramedCanvas.coverage`), not the photo between them.
 */
function forPaddedEnds(coverage: Float32Array, row: number, n: number, f: (x: number, c: number) => void) {
  let left = 0;
  for (; left < n && coverage[row + left] !== 1; left++) f(left, coverage[row + left]!);
  for (let x = n - 1; x >= left && coverage[row + x] !== 1; x--) f(x, coverage[row + x]!);
}
