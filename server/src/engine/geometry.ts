// Geometry shared by the pipeline's steps: points, RGB images, a face's head height, and the
// affine map between a photo and a levelled, scaled canvas cut from it.

export interface Point {
  x: number;
  y: number;
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Anthropometric ratios of head height (chin to crown, ~230 mm) to inter-pupil distance (~63 mm)
 * and to the eye-to-chin distance (~120 mm). Yaw shortens the first and pitch the second, so the
 * larger estimate wins: a slightly loose frame beats a cut-off head. */
const HEAD_PER_IPD = 3.6;
const HEAD_PER_EYE_CHIN = 1.9;

/** A face's head height (chin to crown) in its image's pixels, from its eyes and chin. */
export function headHeightOf(face: {
  leftEye: Point;
  rightEye: Point;
  chin: Point;
  yawRadians: number;
}): number {
  const { leftEye: l, rightEye: r, chin } = face;
  const eye = { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 };
  const roll = Math.atan2(r.y - l.y, r.x - l.x);
  const ipd = Math.hypot(r.x - l.x, r.y - l.y) / Math.max(0.6, Math.cos(face.yawRadians));
  // Eye-to-chin measured along the face's own vertical axis, so roll does not shorten it.
  const eyeChin = Math.abs(-(chin.x - eye.x) * Math.sin(roll) + (chin.y - eye.y) * Math.cos(roll));
  return Math.max(HEAD_PER_IPD * ipd, HEAD_PER_EYE_CHIN * eyeChin);
}

/** A canvas cut from a photo: scaled by `scale`, turned by `roll` (radians) around the photo
 * point `eye`, which lands on the canvas at (eyeX, eyeY). */
export interface CanvasMap {
  /** Canvas pixels per photo pixel. */
  scale: number;
  roll: number;
  eye: Point;
  canvas: { width: number; height: number; eyeX: number; eyeY: number };
}

/** Maps a canvas pixel to photo coordinates. */
export function canvasToSource(f: CanvasMap, u: number, v: number): Point {
  const dx = (u - f.canvas.eyeX) / f.scale;
  const dy = (v - f.canvas.eyeY) / f.scale;
  const c = Math.cos(f.roll);
  const s = Math.sin(f.roll);
  return { x: f.eye.x + c * dx - s * dy, y: f.eye.y + s * dx + c * dy };
}

/** Maps a photo point to canvas pixels (inverse of `canvasToSource`). */
export function sourceToCanvas(f: CanvasMap, p: Point): Point {
  const dx = p.x - f.eye.x;
  const dy = p.y - f.eye.y;
  const c = Math.cos(f.roll);
  const s = Math.sin(f.roll);
  return { x: f.canvas.eyeX + (c * dx + s * dy) * f.scale, y: f.canvas.eyeY + (-s * dx + c * dy) * f.scale };
}
