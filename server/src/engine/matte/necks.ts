// Pieces joined to the subject only through a narrow neck: a glove or a neighbour's hand resting
// against her, a poster's corner, a chair's back — Selfie is sure of them and the sliver of
// contact makes them one island with the subject, so `fragments.ts` cannot drop them. Opening the
// matte's opaque blocks (erosion by a radius, then growing back) parts them from the subject;
// small parts other than the subject's are dropped.

import { tempF32, tempI32 } from "../temporaries";
import { FAINT, OPAQUE, spread } from "./fragments";

/** Parts are found by eroding the opaque blocks by this many head heights: a neck narrower than
 * twice this (0.14 head heights: thinner than a wrist) parts what it joins. */
export const NECK_RADIUS = 0.07;
/** A part other than the subject's is dropped up to this fraction of the subject's size: a hand,
 * a glove, an object; a larger one (an arm across a sleeve's thin stripe) stays. */
const PART_MAX = 0.12;

/**
 * Blocks of a `w`×`h` plane of mean opacities to clear, or null when none: the parts other than
 * the subject's (those holding the `seeds`, the eye midpoint and the chest), each with the faint
 * blocks nearest to it, where a part is what grows back from one component of the opaque blocks
 * eroded by `radius` blocks. A part touching no seed but larger than PART_MAX of the subject stays.
 */
export function neckedBlocks(
  mean: Float32Array,
  w: number,
  h: number,
  seeds: readonly number[],
  radius: number,
): Uint8Array | null {
  const n = w * h;
  const depth = chamferDepth(mean, w, h);
  // Components of the eroded blocks.
  const label = tempI32("necks.label", n).fill(0, 0, n);
  const queue = tempI32("necks.queue", n);
  // Blocks deeper than the radius (in the depth's thirds of a block; exactly `radius` is not).
  const deeper = 3 * radius + 1e-6;
  let parts = 0;
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || depth[start]! < deeper) continue;
    label[start] = ++parts;
    queue[0] = start;
    spread(label, depth, deeper, w, h, queue, 1);
  }
  if (parts < 2) return null;
  // Every opaque block, then every faint one, goes to the part it reaches first.
  let sources = 0;
  for (let j = 0; j < n; j++) if (label[j] !== 0) queue[sources++] = j;
  const reached = spread(label, mean, OPAQUE, w, h, queue, sources);
  spread(label, mean, FAINT, w, h, queue, reached);

  const sizes = new Float64Array(parts + 1);
  for (let j = 0; j < n; j++) if (mean[j]! >= OPAQUE) sizes[label[j]!]!++;
  const subject = new Set(seeds.map((s) => label[s]!).filter((id) => id !== 0));
  if (subject.size === 0) return null;
  let subjectSize = 0;
  for (const id of subject) subjectSize += sizes[id]!;
  const drop = new Uint8Array(n);
  let dropped = false;
  for (let j = 0; j < n; j++) {
    const id = label[j]!;
    if (id === 0 || subject.has(id) || sizes[id]! > PART_MAX * subjectSize) continue;
    drop[j] = 1;
    dropped = true;
  }
  return dropped ? drop : null;
}

/** Per block, its distance from the nearest block below OPAQUE (or the plane's edge: a part cut
 * by the frame is as deep as it shows) in thirds of a block, by a two-pass 3-4 chamfer. */
function chamferDepth(mean: Float32Array, w: number, h: number): Float32Array {
  const n = w * h;
  const d = tempF32("necks.depth", n);
  for (let j = 0; j < n; j++) d[j] = mean[j]! >= OPAQUE ? 3 * (w + h) : 0;
  // Forward: from the left, above-left, above and above-right; backward: the mirror image.
  for (let y = 0; y < h; y++) {
    for (let x = 0, j = y * w; x < w; x++, j++) {
      let v = d[j]!;
      if (v === 0) continue;
      if (x === 0 || y === 0) v = Math.min(v, 3);
      if (x > 0) v = Math.min(v, d[j - 1]! + 3);
      if (y > 0) {
        v = Math.min(v, d[j - w]! + 3);
        if (x > 0) v = Math.min(v, d[j - w - 1]! + 4);
        if (x < w - 1) v = Math.min(v, d[j - w + 1]! + 4);
      }
      d[j] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1, j = y * w + x; x >= 0; x--, j--) {
      let v = d[j]!;
      if (v === 0) continue;
      if (x === w - 1 || y === h - 1) v = Math.min(v, 3);
      if (x < w - 1) v = Math.min(v, d[j + 1]! + 3);
      if (y < h - 1) {
        v = Math.min(v, d[j + w]! + 3);
        if (x < w - 1) v = Math.min(v, d[j + w + 1]! + 4);
        if (x > 0) v = Math.min(v, d[j + w - 1]! + 4);
      }
      d[j] = v;
    }
  }
  return d;
}
