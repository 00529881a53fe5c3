// The subject prior: a head-and-shoulders outline drawn from the face, for the subject and each
// other person found, laid over the model's coarse matte (hair past it, pockets on the chest).

import { smoothstep } from "../smoothstep";
import { tempF32, tempI32 } from "../temporaries";

/** Outside the core silhouette the model must be at least this sure (ramp) to keep a region. */
const OUTER_CONFIDENCE: readonly [number, number] = [0.75, 0.95];
/** Hair past the outline is the subject's up to this many head heights beyond it, above this
 * many head heights below the eyes (the head and the top of the shoulders), where the model is
 * this sure. */
const HAIR_REACH = 0.5;
const HAIR_ZONE = 1.2;
const HAIR_SURE = 0.8;
/** A pocket of the chest the model leans towards (model value ramp) is filled when the subject's
 * sure region encloses it, at most 2 × POCKET_REACH head heights across in both directions. */
const POCKET_LEAN: readonly [number, number] = [0.4, 0.6];
const POCKET_REACH = 0.3;
/** The prior's value from which a sample counts as the subject's sure region around a pocket. */
const POCKET_SURE = 0.9;
/** Pockets are filled only this many head heights below the eyes: the chest, not beside the neck. */
const POCKET_TOP = 1;

/** Where a person is, from their face: the eye midpoint on the canvas and the head height (chin
 * to crown) in canvas pixels. The canvas is levelled for the subject, so her outline is upright. */
export interface PersonPrior {
  eyeX: number;
  eyeY: number;
  head: number;
}

/** The subject's prior also follows their body, which may lean from the canvas' vertical by
 * `lean` (radians, the roll that would stand it upright less the canvas' roll). */
export interface SubjectPrior extends PersonPrior {
  lean?: number;
  neighbours?: readonly PersonPrior[];
}

/**
 * A head-and-shoulders prior on the coarse matte (in place; `p` is `w`×`h` at `step` canvas
 * pixels per sample). Two nested silhouettes in head heights from the eye midpoint, each a head
 * ellipse united with a neck-and-shoulders trapezoid widening downwards:
 * - inside the core (head with hair, neck, the middle of the chest) the model is trusted as is;
 * - between core and outline only confident regions stay, so unsure blobs at the sides (another
 *   person's clothes, furniture) that touch the subject no longer count as the subject;
 * - beyond the outline (beside and above the head, far sides) nothing is the subject;
 * - another person's outline (a neighbour's head and shoulders, drawn to their size) takes what
 *   lies deeper inside it than inside the subject's outline, outside the subject's core: a friend
 *   pressed against the subject's shoulder is a person Selfie is sure of, but not the subject.
 * - a pocket on the chest the model is unsure of but leans towards (a badge or logo whose colours
 *   it half takes for background), enclosed by the subject's sure region on all four sides, is
 *   the subject's (`fillPockets`), where no one else was found.
 * Edges are soft (a tenth of a head height), so no hard line is drawn into the matte.
 */
export function applySubjectPrior(
  p: Float32Array,
  w: number,
  h: number,
  step: number,
  s: SubjectPrior,
): void {
  const soft = 0.1;
  const neighbours = s.neighbours ?? [];
  const shear = Math.tan(s.lean ?? 0);
  const model = tempF32("prior.model", w * h);
  model.set(p.subarray(0, w * h));
  // Per sample outside the outline, how far hair there may be the subject's (0: not at all).
  const hairRoom = tempF32("prior.hair", w * h).fill(0, 0, w * h);
  // How surely another person's outline claims a sample: it lies inside theirs, and deeper inside
  // it than inside the subject's (compared in canvas pixels, so the person it is nearer to wins,
  // not the larger one).
  const claimedAt = (x: number, y: number, outSubject: number) => {
    let claimed = 0;
    for (const n of neighbours) {
      const [nx, ny] = [((x + 0.5) * step - n.eyeX) / n.head, ((y + 0.5) * step - n.eyeY) / n.head];
      const outNeighbour = outsideOutline(nx, ny);
      const deeperInTheirs = smoothstep(
        -soft * s.head,
        soft * s.head,
        outSubject * s.head - outNeighbour * n.head,
      );
      claimed = Math.max(claimed, (1 - smoothstep(-soft, soft, outNeighbour)) * deeperInTheirs);
    }
    return claimed;
  };
  for (let y = 0; y < h; y++) {
    const v = ((y + 0.5) * step - s.eyeY) / s.head;
    for (let x = 0; x < w; x++) {
      // Below the neck the body runs along its own axis.
      const u = ((x + 0.5) * step - s.eyeX) / s.head + shear * Math.max(0, v - 0.2);
      const i = y * w + x;
      const outSubject = outsideOutline(u, v);
      const outline = 1 - smoothstep(-soft, soft, outSubject);
      if (outline <= 0) {
        p[i] = 0;
        if (v < HAIR_ZONE && outSubject < HAIR_REACH) {
          hairRoom[i] =
            (1 - smoothstep(HAIR_REACH / 2, HAIR_REACH, outSubject)) * (1 - claimedAt(x, y, outSubject));
        }
        continue;
      }
      const inCore = outsideSilhouette(u, v, 0.7, 0.8, 0.5, 0.8, 0.52);
      const core = 1 - smoothstep(-soft, soft, inCore);
      const pi = p[i]!;
      const sure = smoothstep(OUTER_CONFIDENCE[0], OUTER_CONFIDENCE[1], pi);
      // A neighbour's claim reaches into the core's soft rim, not deeper.
      const claim = neighbours.length ? claimedAt(x, y, outSubject) * smoothstep(-2 * soft, 0, inCore) : 0;
      p[i] = pi * outline * (core + (1 - core) * sure) * (1 - claim);
    }
  }
  extendHair(p, model, hairRoom, w, h);
  // Pockets are looked for only in a photo of one person: beside another, the sure region may
  // hold a piece of them (sample6's friend's top), and the gap between would count as enclosed.
  if (neighbours.length > 0) return;
  const top = Math.max(0, Math.ceil((s.eyeY + POCKET_TOP * s.head) / step - 0.5));
  fillPockets(p, model, w, h, top, (POCKET_REACH * s.head) / step);
}

/**
 * Hair past the outline (long hair swinging out, big curls): samples the model is sure of
 * (HAIR_SURE) beside and above the head, joined to the subject through such samples, keep the
 * model's value times their room (`hairRoom`, which fades out HAIR_REACH head heights past the
 * outline and where a neighbour claims them).
 */
function extendHair(
  p: Float32Array,
  model: Float32Array,
  hairRoom: Float32Array,
  w: number,
  h: number,
): void {
  const n = w * h;
  // Each sample is pushed at most once (seeded where p ≥ 0.5, or raised from 0 when reached).
  const stack = tempI32("prior.hair.stack", n);
  let top = 0;
  for (let i = 0; i < n; i++) if (p[i]! >= 0.5) stack[top++] = i;
  const reach = (j: number) => {
    if (hairRoom[j]! <= 0 || p[j]! > 0 || model[j]! < HAIR_SURE) return;
    p[j] = model[j]! * hairRoom[j]!;
    stack[top++] = j;
  };
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % w;
    if (x > 0) reach(i - 1);
    if (x < w - 1) reach(i + 1);
    if (i >= w) reach(i - w);
    if (i + w < n) reach(i + w);
  }
}

/**
 * Raises `p` (the prior applied), from row `top` down, to how far `model` (the model's own values)
 * leans to the subject, in pockets of `p`'s sure region (≥ POCKET_SURE) at most 2 × `reach`
 * samples across between sure samples, both along the row and along the column. The model's
 * doubt at the subject's edge stays: there one side has no sure sample. Every sample of a pocket
 * is judged by the pocket's width, not by its own position, so a pocket fills evenly; the last
 * quarter of the reach ramps down, so no hard line is drawn.
 */
function fillPockets(
  p: Float32Array,
  model: Float32Array,
  w: number,
  h: number,
  top: number,
  reach: number,
): void {
  // Per sample, the distances to the nearest sure sample on both sides, summed per axis (a side
  // without one counts `cap`, which alone puts the sum past 2 × reach).
  const n = w * h;
  const across = tempF32("pocket.across", n).fill(0, 0, n);
  const down = tempF32("pocket.down", n).fill(0, 0, n);
  const cap = Math.ceil(2 * reach) + 1;
  const scan = (into: Float32Array, start: number, stride: number, count: number) => {
    let last = -cap;
    for (let k = 0; k < count; k++) {
      const i = start + k * stride;
      if (p[i]! >= POCKET_SURE) last = k;
      into[i] = into[i]! + Math.min(cap, k - last);
    }
  };
  for (let y = 0; y < h; y++) {
    scan(across, y * w, 1, w);
    scan(across, y * w + w - 1, -1, w);
  }
  for (let x = 0; x < w; x++) {
    scan(down, x, w, h);
    scan(down, (h - 1) * w + x, -w, h);
  }
  for (let i = Math.min(h, top) * w; i < n; i++) {
    const half = Math.max(across[i]!, down[i]!) / 2;
    if (p[i]! >= POCKET_SURE || half >= reach) continue;
    const enclosed = 1 - smoothstep(0.75 * reach, reach, half);
    const lean = enclosed * smoothstep(POCKET_LEAN[0], POCKET_LEAN[1], model[i]!);
    if (lean > p[i]!) p[i] = lean;
  }
}

/** `outsideSilhouette` of a person's outline: head with hair, shoulders to the frame's width. */
const outsideOutline = (u: number, v: number) => outsideSilhouette(u, v, 0.85, 0.98, 0.55, 0.8, 1.35);

/** Signed distance-like measure (head heights) outside a silhouette: ≤ 0 inside. */
function outsideSilhouette(
  u: number,
  v: number,
  rx: number,
  ry: number,
  neck: number,
  grow: number,
  wide: number,
) {
  const eu = u / rx;
  const ev = (v + 0.1) / ry;
  const e = Math.sqrt(eu * eu + ev * ev);
  const head = (e - 1) * Math.min(rx, ry);
  if (v < 0.2) return head;
  // Half-width of the body from `neck` at v = 0.2 to `wide` at v = 0.2 + grow.
  const half = neck + (wide - neck) * Math.min(1, (v - 0.2) / grow);
  return Math.min(head, Math.abs(u) - half);
}
