// Detached fragments of a matte: small opaque islands apart from the subject (a hand and the
// shirt beside it where the sleeve between them was lost against a dark room, a patch of the
// backdrop the model was sure of) and the faint haze around them. Found on the matte's block
// means, so a photo costs a pass over ~80 k blocks.

/** Blocks at least this opaque (mean alpha) make up islands. */
export const OPAQUE = 0.5;
/** Blocks at least this opaque and below OPAQUE are faint: they join the nearest island. */
export const FAINT = 0.01;
/** Islands other than the subject's are dropped up to this fraction of the subject's size; a
 * bigger one is more likely a part of the subject cut off by a thin gap (a scarf's line across a
 * dark coat) than clutter, which the subject prior removes where it can stand. */
const FRAGMENT_MAX = 0.05;

/**
 * Blocks of a `w`×`h` plane of mean opacities to clear, or null when nothing is detached. The
 * subject is the island holding block `seed` (the eye midpoint), or the largest island when there
 * is no seed or it is not opaque. Islands are 8-connected; every faint block belongs to the island it
 * reaches first through faint blocks (the nearest along them), and faint blocks that reach no
 * island are haze, dropped with the fragments.
 */
export function detachedBlocks(mean: Float32Array, w: number, h: number, seed?: number): Uint8Array | null {
  const n = w * h;
  const label = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes = [0];
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || mean[start]! < OPAQUE) continue;
    label[start] = sizes.length;
    queue[0] = start;
    sizes.push(spread(label, mean, OPAQUE, w, h, queue, 1));
  }
  const subject = (seed === undefined ? 0 : label[seed]!) || largest(sizes);
  if (subject === 0) return null;

  // All islands spread at once, breadth first, so each faint block goes to the nearest.
  let sources = 0;
  for (let j = 0; j < n; j++) if (label[j] !== 0) queue[sources++] = j;
  spread(label, mean, FAINT, w, h, queue, sources);

  const limit = FRAGMENT_MAX * sizes[subject]!;
  const drop = new Uint8Array(n);
  let dropped = false;
  for (let j = 0; j < n; j++) {
    const id = label[j]!;
    if (id === 0 ? mean[j]! >= FAINT : id !== subject && sizes[id]! <= limit) {
      drop[j] = 1;
      dropped = true;
    }
  }
  return dropped ? drop : null;
}

/**
 * Breadth-first from the blocks in `queue[0, tail)`: each unlabelled 8-neighbour with a mean of
 * at least `min` takes its finder's label and is queued. Returns how many blocks were queued.
 */
export function spread(
  label: Int32Array,
  mean: Float32Array,
  min: number,
  w: number,
  h: number,
  queue: Int32Array,
  tail: number,
): number {
  for (let head = 0; head < tail; head++) {
    const j = queue[head]!;
    const id = label[j]!;
    const x = j % w;
    const y = (j - x) / w;
    for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
      for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
        const k = yy * w + xx;
        if (label[k] !== 0 || mean[k]! < min) continue;
        label[k] = id;
        queue[tail++] = k;
      }
    }
  }
  return tail;
}

/** The index of the largest of `sizes` after index 0; 0 when there is none. */
function largest(sizes: readonly number[]): number {
  let best = 0;
  for (let id = 1; id < sizes.length; id++) if (sizes[id]! > (sizes[best] ?? 0)) best = id;
  return best;
}
