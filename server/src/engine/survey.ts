// What the photo holds of the subject, before framing (SPEC §7.2.1): Selfie segments a wide view
// around the face, levelled for it, and the subject prior keeps the subject's own outline. From
// that mask: where the photo's border cuts the subject, their presence anywhere, and their body's
// axis — what `frameHeadshot` needs to keep the photo's edges out of the frame.

import { SEGMENT_SIZE } from "./segmenter";
import type { SubjectReach } from "./framing";
import { canvasToSource, sourceToCanvas, type CanvasMap, type Point } from "./geometry";
import { sampleAt } from "./sampling";

/** The survey's view in head heights: as wide as it is tall, with the eyes this far from its
 * top. It holds every frame `frameHeadshot` may choose (a 4:5 frame at the preferred head size
 * reaches ~1.9 head heights below the eyes and ~1.2 to each side), turned by up to 30° from the
 * face's level (a frame turned further, when no level one fits, may reach past the view: cuts
 * there are not seen). */
const VIEW = { side: 4.6, aboveEyes: 1.9 };
/** The subject counts as cut by the photo's border where the mask just inside it reaches this,
 * along at least RUN consecutive samples of the border (a stray hair is not a cut). */
const CUT_PRESENCE = 0.5;
const RUN = 3;
/** Samples inside the border at which the mask is read (survey pixels). */
const INSET = 1.5;
/** Rows of the body whose centres give its axis: head heights below the eyes, and half the
 * width searched beside the eyes. */
const BODY_ROWS: readonly [number, number] = [0.9, 2.2];
const BODY_HALF_WIDTH = 1.6;
/** A row counts when the subject fills at least this many head heights of it; the axis needs
 * this many head heights of rows, and is not trusted beyond MAX_BODY_TILT from the face's. */
const BODY_MIN_WIDTH = 0.4;
const BODY_MIN_ROWS = 0.3;
const MAX_BODY_TILT = (40 * Math.PI) / 180;

/** The survey's map: SEGMENT_SIZE² around the eyes, levelled by `roll`, `head` the head height in
 * photo pixels. */
export function surveyMap(eye: Point, roll: number, head: number): CanvasMap {
  const scale = SEGMENT_SIZE / (VIEW.side * head);
  return {
    scale,
    roll,
    eye,
    canvas: {
      width: SEGMENT_SIZE,
      height: SEGMENT_SIZE,
      eyeX: SEGMENT_SIZE / 2,
      eyeY: (VIEW.aboveEyes / VIEW.side) * SEGMENT_SIZE,
    },
  };
}

/**
 * The subject's reach from `mask` (SEGMENT_SIZE², the subject prior applied) over the survey
 * `map` of a `photo.width` × `photo.height` photo, whose body stands at roll `body` (`bodyRoll`).
 */
export function subjectReach(
  mask: Float32Array,
  map: CanvasMap,
  photo: { width: number; height: number },
  body: number | null,
): SubjectReach {
  const n = SEGMENT_SIZE;
  const inside = (p: Point) => p.x >= 0 && p.y >= 0 && p.x <= photo.width && p.y <= photo.height;
  const at = (q: Point) => sampleAt(mask, n, n, q.x - 0.5, q.y - 0.5);
  const presence = (p: Point) => (inside(p) ? at(sourceToCanvas(map, p)) : 0);
  return { cuts: borderCuts(at, map, photo), presence, bodyRoll: body };
}

/** Points of the photo's border, one per survey pixel along it within the survey's view, where
 * the mask just inside reaches CUT_PRESENCE over a run of RUN samples. */
function borderCuts(
  at: (q: Point) => number,
  map: CanvasMap,
  photo: { width: number; height: number },
): Point[] {
  const { width: w, height: h } = photo;
  const step = 1 / map.scale;
  const inset = INSET * step;
  const edges: { from: Point; along: Point; length: number; inward: Point }[] = [
    { from: { x: 0, y: 0 }, along: { x: 1, y: 0 }, length: w, inward: { x: 0, y: 1 } },
    { from: { x: 0, y: h }, along: { x: 1, y: 0 }, length: w, inward: { x: 0, y: -1 } },
    { from: { x: 0, y: 0 }, along: { x: 0, y: 1 }, length: h, inward: { x: 1, y: 0 } },
    { from: { x: w, y: 0 }, along: { x: 0, y: 1 }, length: h, inward: { x: -1, y: 0 } },
  ];
  const cuts: Point[] = [];
  const margin = 2;
  for (const edge of edges) {
    // A run is kept with the samples just before and after it: the cut may reach up to a sample
    // spacing past the last sample that saw it.
    let run: Point[] = [];
    let before: Point | undefined;
    const flush = (after?: Point) => {
      if (run.length >= RUN) cuts.push(...(before ? [before] : []), ...run, ...(after ? [after] : []));
      run = [];
    };
    for (let t = 0; t <= edge.length; t += step) {
      const p = { x: edge.from.x + edge.along.x * t, y: edge.from.y + edge.along.y * t };
      const q = sourceToCanvas(map, { x: p.x + edge.inward.x * inset, y: p.y + edge.inward.y * inset });
      const inView =
        q.x > -margin && q.y > -margin && q.x < map.canvas.width + margin && q.y < map.canvas.height + margin;
      if (inView && at(q) >= CUT_PRESENCE) run.push(p);
      else {
        flush(p);
        before = p;
      }
    }
    flush();
  }
  return cuts;
}

/**
 * The roll that would stand the body upright, from the model's own mask (before the prior, which
 * assumes the body below the face): the torso followed down from under the chin, row by row — the
 * centre of the mask's confident samples within BODY_HALF_WIDTH head heights of the last row's
 * centre (a neighbour's body in that reach pulls it) —, a line fitted through the centres and
 * turned back into the photo. Null when
 * too few rows hold enough of the body, or the line leans implausibly far from the face's axis.
 */
export function bodyRoll(
  mask: Float32Array,
  map: CanvasMap,
  photo: { width: number; height: number },
  head: number,
): number | null {
  const n = SEGMENT_SIZE;
  const unit = head * map.scale;
  const { eyeX, eyeY } = map.canvas;
  const inPhoto = (u: number, v: number) => {
    const p = canvasToSource(map, u + 0.5, v + 0.5);
    return p.x >= 0 && p.y >= 0 && p.x <= photo.width && p.y <= photo.height;
  };
  const [y0, y1] = BODY_ROWS.map((k) => Math.round(eyeY + k * unit)) as [number, number];
  const reachX = BODY_HALF_WIDTH * unit;
  const rows: { y: number; x: number }[] = [];
  let centre = eyeX;
  for (let v = Math.max(0, y0); v <= Math.min(n - 1, y1); v++) {
    const lo = Math.max(0, Math.floor(centre - reachX));
    const hi = Math.min(n - 1, Math.ceil(centre + reachX));
    let [mass, moment] = [0, 0];
    for (let u = lo; u <= hi; u++) {
      if (!inPhoto(u, v)) continue;
      const m = mask[v * n + u]!;
      if (m < CUT_PRESENCE) continue;
      mass += m;
      moment += m * u;
    }
    if (mass < BODY_MIN_WIDTH * unit) break;
    centre = moment / mass;
    rows.push({ y: v, x: centre });
  }
  if (rows.length < Math.max(6, BODY_MIN_ROWS * unit)) return null;
  // Least squares x = a + b·y; the body's down direction in the view is (b, 1).
  const my = rows.reduce((sum, r) => sum + r.y, 0) / rows.length;
  const mx = rows.reduce((sum, r) => sum + r.x, 0) / rows.length;
  const syy = rows.reduce((sum, r) => sum + (r.y - my) ** 2, 0);
  const sxy = rows.reduce((sum, r) => sum + (r.y - my) * (r.x - mx), 0);
  const lean = -Math.atan(sxy / syy);
  return Math.abs(lean) > MAX_BODY_TILT ? null : map.roll + lean;
}
