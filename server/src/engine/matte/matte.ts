// Step 4: the person matte, put together from its parts. The Selfie model's coarse 256² mask goes
// under the subject prior and is refined against the photo by a colour guided filter (coefficients
// on the quarter-resolution working grid, applied at full resolution); islands apart from the
// subject are dropped, edge pixels refined and decontaminated, and the subject fades out past the
// photo's edge. The grid half (`matteGrid`) needs no canvas pixel and runs while libvips renders
// the canvas; `computeMatte` does the rest.

import { SEGMENT_SIZE } from "../segmenter";
import type { FramedCanvas } from "../source-image";
import { resizeBilinear } from "../sampling";
import { CLEAR, gridSize, MIXED, type GuidePlanes } from "./grid";
const SUB = 4;
import { canvasGuide } from "./guide";
import { applySubjectPrior, type SubjectPrior } from "./prior";
import { applyCoefficients, classifyBlocks, guidedCoefficients, type Coefficients } from "./guided-filter";
import { colourModel, refineEdges } from "./edges";
import { fadeBlocks, fadePixels } from "./fade";
import { detachedBlocks } from "./fragments";
import { NECK_RADIUS, neckedBlocks } from "./necks";

/** The chest, in head heights below the eyes: the subject's second seed (the frame shows it). */
const CHEST = 1;

export interface Matte {
  /** Subject opacity per canvas pixel. */
  alpha: Float32Array;
  /** Canvas colours with edge pixels replaced by their estimated pure foreground colour. */
  foreground: Uint8Array;
  /** Mean opacity per SUB×SUB block (`smallWidth` × `smallHeight`), for soft effects. */
  alphaSmall: Float32Array;
  smallWidth: number;
  smallHeight: number;
}

/** The matte's low-resolution half: the guided filter's coefficients and the block classes. */
export interface MatteGrid {
  coefficients: Coefficients;
  blockClass: Uint8Array;
}

/**
 * The matte's low-resolution half, for a `width` × `height` canvas: the model's coarse matte
 * (`coarse`, SEGMENT_SIZE² person probabilities over the canvas) under the subject prior, and the
 * guided filter's coefficients against `guide`. It reads no canvas pixel, so the pipeline runs it
 * on a guide levelled from the detection copy while libvips still renders the canvas.
 */
export function matteGrid(
  guide: GuidePlanes,
  coarse: Float32Array,
  width: number,
  height: number,
  prior?: SubjectPrior,
): MatteGrid {
  const { width: sw, height: sh } = gridSize(width, height);
  const p = resizeBilinear(coarse, SEGMENT_SIZE, SEGMENT_SIZE, sw, sh);
  if (prior) applySubjectPrior(p, sw, sh, SUB, prior);
  // Copied out of the module temporaries: the grid outlives the pipeline's next await.
  const coefficients = guidedCoefficients(guide, p, sw, sh).map((c) => c.slice(0, sw * sh)) as Coefficients;

  // Where the interpolated coefficients cannot bring q = a·I + b (I in 0..1) inside the
  // stretched range, the whole block is known to be clear or solid without visiting its pixels.
  // Bounds use each block's 3×3 neighbourhood, which holds every coefficient it interpolates.
  const blockClass = new Uint8Array(sw * sh);
  if (width === sw * SUB && height === sh * SUB) classifyBlocks(blockClass, ...coefficients, sw, sh);
  else blockClass.fill(MIXED);
  return { coefficients, blockClass };
}

/**
 * The matte's full-resolution half: the grid's coefficients applied to the canvas' own colours,
 * islands apart from the subject (whose eye midpoint is `eye`) dropped, edges refined. `guide` is
 * the canvas' own (`canvasGuide`) when the caller has it. The full-size planes are written into
 * `into` when given (reused buffers), else new arrays. The grid is used up (islands are marked
 * clear in its block classes).
 */
export function computeMatte(
  canvas: FramedCanvas,
  grid: MatteGrid,
  options: {
    eye?: { x: number; y: number };
    /** The subject's head height (chin to crown) in canvas pixels: with `eye`, parts joined to
     * the subject through a narrow neck are found (`necks.ts`). */
    head?: number;
    guide?: GuidePlanes;
    into?: { alpha: Float32Array; foreground: Uint8Array };
  } = {},
): Matte {
  const { width: w, height: h, rgb, coverage } = canvas;
  const { width: sw, height: sh } = gridSize(w, h);
  const { blockClass } = grid;
  const { eye, head, into } = options;

  // The coefficients are smooth, so they are interpolated up and applied to full-resolution
  // colours: the matte then follows full-resolution edges.
  const alpha = into?.alpha ?? new Float32Array(w * h);
  applyCoefficients(alpha, rgb, w, h, grid.coefficients, blockClass);

  const alphaSmall = new Float32Array(sw * sh);
  const foreground = into?.foreground ?? new Uint8Array(rgb.length);
  foreground.set(rgb);
  const model = colourModel(rgb, alpha, w, h, options.guide ?? canvasGuide(canvas), blockClass, alphaSmall);
  // Past the photo's edge the subject fades out. Block means fade before islands are looked for
  // (the edge pixels repeated there must not join an island to anything); the pixels fade last.
  if (coverage) fadeBlocks(alphaSmall, coverage, w, h);
  const seed = eye && blockAt(eye.x, eye.y, sw, sh);
  const detached = detachedBlocks(alphaSmall, sw, sh, seed);
  if (detached) clearBlocks(alpha, w, h, detached, blockClass, alphaSmall);
  if (eye && head) {
    const chest = blockAt(eye.x, eye.y + CHEST * head, sw, sh);
    const necked = neckedBlocks(alphaSmall, sw, sh, [seed!, chest], (NECK_RADIUS * head) / SUB);
    if (necked) clearBlocks(alpha, w, h, necked, blockClass, alphaSmall);
  }
  refineEdges(rgb, foreground, alpha, w, h, blockClass, model);
  if (coverage) fadePixels(alpha, coverage, w, h);
  return { alpha, foreground, alphaSmall, smallWidth: sw, smallHeight: sh };
}

/** The index of the SUB×SUB block holding canvas point (x, y), clamped to the blocks. */
function blockAt(x: number, y: number, sw: number, sh: number): number {
  const bx = Math.max(0, Math.min(sw - 1, Math.floor(x / SUB)));
  const by = Math.max(0, Math.min(sh - 1, Math.floor(y / SUB)));
  return by * sw + bx;
}

/** Makes the blocks marked in `blocks` transparent (the last row and column of blocks reach to
 * the canvas' edge) and CLEAR, so later passes skip them. */
function clearBlocks(
  alpha: Float32Array,
  w: number,
  h: number,
  blocks: Uint8Array,
  blockClass: Uint8Array,
  alphaSmall: Float32Array,
): void {
  const { width: sw, height: sh } = gridSize(w, h);
  for (let j = 0; j < blocks.length; j++) {
    if (blocks[j] === 0) continue;
    const bx = j % sw;
    const by = (j - bx) / sw;
    const x1 = bx === sw - 1 ? w : bx * SUB + SUB;
    const y1 = by === sh - 1 ? h : by * SUB + SUB;
    for (let y = by * SUB; y < y1; y++) alpha.fill(0, y * w + bx * SUB, y * w + x1);
    blockClass[j] = CLEAR;
    alphaSmall[j] = 0;
  }
}
