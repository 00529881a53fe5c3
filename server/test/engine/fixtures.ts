// Test photos (origins and licences in test/fixtures/LICENSES.md) and helpers to judge outputs.

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { FaceDetector } from "../../src/engine/face-detector";
import type { Point } from "../../src/engine/geometry";
import labels from "../fixtures/eye-labels.json";

export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const fixture = (name: string) => readFile(fixturePath(name));

/** Re-detects the face in an output JPEG: eye midpoint as fractions of width and height. */
export async function eyePosition(
  detector: FaceDetector,
  jpeg: Uint8Array,
): Promise<{ x: number; y: number }> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const face = await detector.subject({ data: new Uint8Array(data), width: info.width, height: info.height });
  return {
    x: (face.leftEye.x + face.rightEye.x) / 2 / info.width,
    y: (face.leftEye.y + face.rightEye.y) / 2 / info.height,
  };
}

/** Fixtures whose pupils are labelled by hand (test/fixtures/eye-labels.json). */
export type Labelled = "astronaut.png" | "one_face_sample1_crop.jpg";

/** The labelled pupils of a fixture: [left, right] in the photo's pixels. */
export function labelledEyes(name: Labelled): [Point, Point] {
  const { left, right } = labels[name];
  return [
    { x: left[0]!, y: left[1]! },
    { x: right[0]!, y: right[1]! },
  ];
}

/** The angle of the line from the left eye to the right one, in degrees (clockwise positive). */
export const rollDegrees = (l: Point, r: Point) => (Math.atan2(r.y - l.y, r.x - l.x) * 180) / Math.PI;
