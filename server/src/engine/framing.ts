// Headshot framing (SPEC §7.2 step 3): from the eyes and face height to one transform shared by
// every output aspect — eyes level, eye line at 40 % from the top, face centred, fixed head scale.

import { ASPECTS, type Aspect } from "@headshot/shared";
import { EngineError } from "./types";
import type { Face, Point } from "./face-detector";

/** Eye line position as a fraction of each output's height. */
export const EYE_LINE = 0.4;
/** Head height (chin to crown) as a fraction of the output width: head and shoulders, with
 * about a fifth of the square frame as headroom above the crown. */
const HEAD_FRACTION = 0.42;
/** Anthropometric ratios of head height (chin to crown, ~230 mm) to inter-pupil distance (~63 mm)
 * and to the eye-to-chin distance (~120 mm). Yaw shortens the first and pitch the second, so the
 * larger estimate wins: a slightly loose frame beats a cut-off head. */
const HEAD_PER_IPD = 3.6;
const HEAD_PER_EYE_CHIN = 1.9;
/** Roll is corrected up to this angle; beyond it the photo is most likely meant to be tilted. */
const MAX_ROLL = (30 * Math.PI) / 180;
/** Enlargement up to 1.5× is invisible; up to 4× is flagged in the metadata as `upscaled`;
 * beyond 4× the head would be under ~130 source pixels tall and we refuse the photo. */
export const UPSCALE_FLAG = 1.5;
const UPSCALE_LIMIT = 4;

export interface Framing {
  /** Output pixels per source pixel. */
  scale: number;
  /** Rotation (radians) that levels the eyes; applied around `eye`. */
  roll: number;
  /** Eye midpoint in source pixels. */
  eye: Point;
  /** The canvas every aspect is cut from: all aspects share scale and eye position. */
  canvas: { width: number; height: number; eyeX: number; eyeY: number };
  /** Head height (chin to crown) in canvas pixels. */
  headHeight: number;
  /** Each aspect's window inside the canvas. */
  windows: Record<Aspect, { top: number; left: number; width: number; height: number }>;
}

/** A face's head height (chin to crown) in its image's pixels, from its eyes and chin. */
export function headHeightOf(face: Pick<Face, "leftEye" | "rightEye" | "chin" | "yawRadians">): number {
  const { leftEye: l, rightEye: r, chin } = face;
  const eye = { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 };
  const roll = Math.atan2(r.y - l.y, r.x - l.x);
  const ipd = Math.hypot(r.x - l.x, r.y - l.y) / Math.max(0.6, Math.cos(face.yawRadians));
  // Eye-to-chin measured along the face's own vertical axis, so roll does not shorten it.
  const eyeChin = Math.abs(-(chin.x - eye.x) * Math.sin(roll) + (chin.y - eye.y) * Math.cos(roll));
  return Math.max(HEAD_PER_IPD * ipd, HEAD_PER_EYE_CHIN * eyeChin);
}

export function frameHeadshot(face: Face, aspects: readonly Aspect[]): Framing {
  const { leftEye: l, rightEye: r } = face;
  const eye = { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 };
  const rawRoll = Math.atan2(r.y - l.y, r.x - l.x);
  const roll = Math.max(-MAX_ROLL, Math.min(MAX_ROLL, rawRoll));
  const headHeight = headHeightOf(face);

  const all = aspects.map((a) => ASPECTS[a]);
  const width = Math.max(...all.map((s) => s.width));
  const above = Math.max(...all.map((s) => Math.round(EYE_LINE * s.height)));
  const below = Math.max(...all.map((s) => s.height - Math.round(EYE_LINE * s.height)));
  const scale = (HEAD_FRACTION * width) / headHeight;
  if (!(scale > 0) || scale > UPSCALE_LIMIT) {
    throw new EngineError("FACE_TOO_SMALL", `would need ${scale.toFixed(2)}× enlargement`);
  }
  const canvas = { width, height: above + below, eyeX: width / 2, eyeY: above };
  const windows = {} as Framing["windows"];
  for (const a of aspects) {
    const s = ASPECTS[a];
    windows[a] = {
      top: above - Math.round(EYE_LINE * s.height),
      left: Math.round(canvas.eyeX - s.width / 2),
      width: s.width,
      height: s.height,
    };
  }
  return { scale, roll, eye, canvas, headHeight: HEAD_FRACTION * width, windows };
}

/** Maps a canvas pixel to source coordinates. */
export function canvasToSource(f: Framing, u: number, v: number): Point {
  const dx = (u - f.canvas.eyeX) / f.scale;
  const dy = (v - f.canvas.eyeY) / f.scale;
  const c = Math.cos(f.roll);
  const s = Math.sin(f.roll);
  return { x: f.eye.x + c * dx - s * dy, y: f.eye.y + s * dx + c * dy };
}

/** Maps a source point to canvas pixels (inverse of `canvasToSource`). */
export function sourceToCanvas(f: Framing, p: Point): Point {
  const dx = p.x - f.eye.x;
  const dy = p.y - f.eye.y;
  const c = Math.cos(f.roll);
  const s = Math.sin(f.roll);
  return { x: f.canvas.eyeX + (c * dx + s * dy) * f.scale, y: f.canvas.eyeY + (-s * dx + c * dy) * f.scale };
}
