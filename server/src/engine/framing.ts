// Headshot composition (SPEC §7.2.1): from the face and what the photo holds of the subject to
// one canvas every output aspect is cut from. The subject is cut only by the frame, never by the
// photo; the head grows from head-and-shoulders towards a close-up only as far as the photo needs;
// the eyes are levelled as far as the body allows.

import { ASPECTS, type Aspect } from "@headshot/shared";
import { EngineError } from "./types";
import { headHeightOf, type CanvasMap, type Point } from "./geometry";

/** Eye line, as a fraction of each output's height from the top. */
export const EYE_LINE = { min: 0.35, preferred: 0.4, max: 0.45 } as const;
/** Head height (chin to crown) as a fraction of the output width: head and shoulders with about a
 * fifth of the square frame above the crown, up to a close-up when the photo holds no more. */
export const HEAD_FRACTION = { preferred: 0.42, max: 0.68 } as const;
/** The eyes are levelled to within this (radians): 2° inside SPEC §7.2.1's 8°, the margin the
 * eyes' measurement needs. */
export const LEVEL_TOLERANCE = (6 * Math.PI) / 180;
/** SPEC §7.2.1's bound on the eyes' tilt (radians): a frame that cannot level them within
 * LEVEL_TOLERANCE may leave them tilted up to this, no further. */
const MAX_TILT = (8 * Math.PI) / 180;
/** A body leaning further than this from the frame's vertical looks diagonal (radians). */
const BODY_LEAN = (20 * Math.PI) / 180;
/** Roll is corrected up to this angle; beyond it the photo is most likely meant to be tilted. */
const MAX_ROLL = (45 * Math.PI) / 180;
/** Enlargement up to 1.5× is invisible; up to 4× is flagged in the metadata as `upscaled`;
 * beyond 4× the head would be under ~130 source pixels tall and we refuse the photo. */
export const UPSCALE_FLAG = 1.5;
const UPSCALE_LIMIT = 4;
/** Search steps: head fraction, roll (radians) and eye line. */
const HEAD_STEP = 0.01;
const ROLL_STEP = Math.PI / 180;
const EYE_STEP = 0.005;
/** What a step of head fraction costs against a step of roll away from the one wanted: 0.05 more
 * head width weighs as much as 4° less levelling. */
const ROLL_PER_HEAD = (4 * Math.PI) / 180 / 0.05;
/** A cut point this close to the frame's edge (canvas pixels) counts as on it. */
const EDGE_TOLERANCE = 3;
/** The subject must fill the frame's bottom edge: its presence at the bottom centre and at
 * ± this share of the width beside it. */
const BOTTOM_SPREAD = 0.15;
const BOTTOM_PRESENCE = 0.5;

/** What the photo holds of the subject (`survey.ts`): where its border cuts them, where they are,
 * and which way their body runs. */
export interface SubjectReach {
  /** Points of the photo's border (photo pixels) where the border cuts the subject. */
  cuts: readonly Point[];
  /** The subject's presence at a photo point, 0..1 (0 outside the photo). */
  presence(p: Point): number;
  /** The body's axis in the photo, as the roll that would stand it upright (radians), or null
   * when the photo shows too little body to tell. */
  bodyRoll: number | null;
}

/** Anywhere: a photo whose border cuts no one and whose subject fills every frame. */
const UNBOUNDED: SubjectReach = { cuts: [], presence: () => 1, bodyRoll: null };

export interface Framing extends CanvasMap {
  /** Head height (chin to crown) in canvas pixels. */
  headHeight: number;
  /** The body's axis as `SubjectReach.bodyRoll` gives it. */
  bodyRoll: number | null;
  /** The eyes' tilt left in the outputs (radians): within LEVEL_TOLERANCE unless the photo's edges
   * allowed no more levelling. */
  tilt: number;
  /** Each aspect's window inside the canvas, and its eye line (fraction of its height). */
  windows: Record<Aspect, { top: number; left: number; width: number; height: number; eyeLine: number }>;
}

/** One candidate: scale, roll and an eye line per aspect. */
interface Candidate {
  headFraction: number;
  roll: number;
  eyeLines: number[];
}

/**
 * The frame: the roll that levels the eyes as far as the body allows, the smallest head size and
 * the eye line nearest the preferred one at which no cut of the subject by the photo's border
 * shows in any requested aspect and the subject fills each frame's bottom edge.
 * `SUBJECT_CROPPED` when no frame up to a close-up does; `FACE_TOO_SMALL` when the photo would
 * need more than 4× enlargement.
 */
export function frameHeadshot(
  face: { leftEye: Point; rightEye: Point; chin: Point; yawRadians: number },
  aspects: readonly Aspect[],
  reach: SubjectReach = UNBOUNDED,
): Framing {
  const eye = eyeMidpoint(face);
  const level = eyeRoll(face);
  const head = headHeightOf(face);
  const sizes = aspects.map((a) => ASPECTS[a]);
  const width = Math.max(...sizes.map((s) => s.width));
  const scaleOf = (headFraction: number) => (headFraction * width) / head;
  if (!(scaleOf(HEAD_FRACTION.preferred) > 0) || scaleOf(HEAD_FRACTION.preferred) > UPSCALE_LIMIT) {
    throw new EngineError(
      "FACE_TOO_SMALL",
      `would need ${scaleOf(HEAD_FRACTION.preferred).toFixed(2)}× enlargement`,
    );
  }

  // The cuts relative to the eyes, once: every candidate turns and scales them.
  const cuts = {
    dx: Float64Array.from(reach.cuts, (p) => p.x - eye.x),
    dy: Float64Array.from(reach.cuts, (p) => p.y - eye.y),
  };
  const fits = (headFraction: number, roll: number): Candidate | null => {
    const eyeLines = eyeLinesFor(reach, cuts, eye, scaleOf(headFraction), roll, width, sizes);
    return eyeLines && { headFraction, roll, eyeLines };
  };
  const chosen = levelled(fits, level, wantedRoll(level, reach.bodyRoll)) ?? leastTilted(fits, level);
  if (!chosen) {
    throw new EngineError(
      "SUBJECT_CROPPED",
      "no frame up to a close-up keeps the photo's edges out with the eyes level within 8°",
    );
  }
  const scale = scaleOf(chosen.headFraction);
  if (scale > UPSCALE_LIMIT)
    throw new EngineError("FACE_TOO_SMALL", `would need ${scale.toFixed(2)}× enlargement`);

  // One canvas holds every aspect's window at the same scale and eye position.
  const above = Math.max(...sizes.map((s, k) => Math.round(chosen.eyeLines[k]! * s.height)));
  const below = Math.max(...sizes.map((s, k) => s.height - Math.round(chosen.eyeLines[k]! * s.height)));
  // A whole number of the matte's 4 × 4 blocks.
  const height = Math.ceil((above + below) / 4) * 4;
  const canvas = { width, height, eyeX: width / 2, eyeY: above };
  const windows = {} as Framing["windows"];
  aspects.forEach((a, k) => {
    const s = sizes[k]!;
    windows[a] = {
      top: above - Math.round(chosen.eyeLines[k]! * s.height),
      left: Math.round(canvas.eyeX - s.width / 2),
      width: s.width,
      height: s.height,
      eyeLine: chosen.eyeLines[k]!,
    };
  });
  return {
    scale,
    roll: chosen.roll,
    eye,
    canvas,
    headHeight: chosen.headFraction * width,
    tilt: level - chosen.roll,
    bodyRoll: reach.bodyRoll,
    windows,
  };
}

export const eyeMidpoint = ({ leftEye: l, rightEye: r }: EyePair): Point => ({
  x: (l.x + r.x) / 2,
  y: (l.y + r.y) / 2,
});

/** The roll that levels the eyes, up to MAX_ROLL. */
export function eyeRoll({ leftEye: l, rightEye: r }: EyePair): number {
  return Math.max(-MAX_ROLL, Math.min(MAX_ROLL, Math.atan2(r.y - l.y, r.x - l.x)));
}

type EyePair = { leftEye: Point; rightEye: Point };

/** The roll wanted: the eyes levelled, unless that would lean the body past BODY_LEAN (a head
 * tilted on an upright body, a diagonal torso): then turned towards the body as far as that
 * takes or LEVEL_TOLERANCE allows. */
function wantedRoll(eyeRoll: number, bodyRoll: number | null): number {
  if (bodyRoll === null) return eyeRoll;
  const excess = bodyRoll - eyeRoll - Math.sign(bodyRoll - eyeRoll) * BODY_LEAN;
  if (Math.sign(excess) !== Math.sign(bodyRoll - eyeRoll)) return eyeRoll;
  return eyeRoll + Math.max(-LEVEL_TOLERANCE, Math.min(LEVEL_TOLERANCE, excess));
}

/** The cheapest candidate with the eyes level within tolerance: each step of head size and of
 * roll away from `wanted` costs (ROLL_PER_HEAD). */
function levelled(
  fits: (headFraction: number, roll: number) => Candidate | null,
  eyeRoll: number,
  wanted: number,
): Candidate | null {
  const rolls: number[] = [wanted];
  for (let d = ROLL_STEP; d <= 2 * LEVEL_TOLERANCE; d += ROLL_STEP) {
    for (const roll of [wanted - d, wanted + d]) {
      if (Math.abs(roll - eyeRoll) <= LEVEL_TOLERANCE + 1e-9) rolls.push(roll);
    }
  }
  // Upright (the photo's own axes, the easiest to fit) whenever it is within tolerance: the steps
  // above may pass it by.
  if (Math.abs(eyeRoll) <= LEVEL_TOLERANCE) rolls.push(0);
  let best: { candidate: Candidate; cost: number } | null = null;
  for (let h = HEAD_FRACTION.preferred; h <= HEAD_FRACTION.max + 1e-9; h += HEAD_STEP) {
    const headCost = (h - HEAD_FRACTION.preferred) * ROLL_PER_HEAD;
    if (best && headCost >= best.cost) break;
    for (const roll of rolls) {
      const cost = headCost + Math.abs(roll - wanted);
      if (best && cost >= best.cost) continue;
      const candidate = fits(h, roll);
      if (candidate) best = { candidate, cost };
    }
  }
  return best?.candidate ?? null;
}

/** A tilt the frame cannot level within tolerance is levelled as far as it can be, up to
 * MAX_TILT: rolls from just past the tolerance towards upright, each at the smallest head size
 * that fits. */
function leastTilted(
  fits: (headFraction: number, roll: number) => Candidate | null,
  eyeRoll: number,
): Candidate | null {
  const steps = Math.ceil((Math.min(Math.abs(eyeRoll), MAX_TILT) - LEVEL_TOLERANCE) / ROLL_STEP);
  for (let k = 1; k <= steps; k++) {
    const tilt = Math.min(LEVEL_TOLERANCE + k * ROLL_STEP, MAX_TILT);
    const roll = tilt >= Math.abs(eyeRoll) ? 0 : eyeRoll - Math.sign(eyeRoll) * tilt;
    for (let h = HEAD_FRACTION.preferred; h <= HEAD_FRACTION.max + 1e-9; h += HEAD_STEP) {
      const candidate = fits(h, roll);
      if (candidate) return candidate;
    }
  }
  return null;
}

/**
 * Per aspect, the eye line nearest the preferred one at which no cut shows inside the window and
 * the subject fills the window's bottom edge; null if some aspect has none.
 */
function eyeLinesFor(
  reach: SubjectReach,
  cuts: { dx: Float64Array; dy: Float64Array },
  eye: Point,
  scale: number,
  roll: number,
  width: number,
  sizes: readonly { width: number; height: number }[],
): number[] | null {
  const [c, s] = [Math.cos(roll), Math.sin(roll)];
  const toPhoto = (x: number, y: number): Point => ({
    x: eye.x + (c * x - s * y) / scale,
    y: eye.y + (s * x + c * y) / scale,
  });
  const lines: number[] = [];
  for (const size of sizes) {
    let lo: number = EYE_LINE.min;
    let hi: number = EYE_LINE.max;
    const half = Math.min(width, size.width) / 2 - EDGE_TOLERANCE;
    for (let k = 0; k < cuts.dx.length; k++) {
      // The cut in canvas pixels relative to the eye (x across, y down).
      const [dx, dy] = [cuts.dx[k]!, cuts.dy[k]!];
      const x = (c * dx + s * dy) * scale;
      if (Math.abs(x) >= half) continue;
      const y = (-s * dx + c * dy) * scale;
      // Below the eye the window must end above the cut; above it, start below it.
      if (y >= 0) lo = Math.max(lo, 1 - (y + EDGE_TOLERANCE) / size.height);
      else hi = Math.min(hi, (-y + EDGE_TOLERANCE) / size.height);
      if (lo > hi) return null;
    }
    if (lo > hi) return null;
    // From the preferred eye line down the frame, the first whose bottom edge the subject fills
    // (a lower eye line brings the bottom edge up the body).
    const order = [Math.max(lo, Math.min(hi, EYE_LINE.preferred))];
    for (let e = order[0]! + EYE_STEP; e <= hi + 1e-9; e += EYE_STEP) order.push(e);
    const found = order.find((e) => {
      const bottom = (1 - e) * size.height - 1;
      const spread = BOTTOM_SPREAD * size.width;
      const centre = reach.presence(toPhoto(0, bottom));
      const sides = reach.presence(toPhoto(-spread, bottom)) + reach.presence(toPhoto(spread, bottom));
      return centre >= BOTTOM_PRESENCE && (centre + sides) / 3 >= BOTTOM_PRESENCE;
    });
    if (found === undefined) return null;
    lines.push(found);
  }
  return lines;
}
