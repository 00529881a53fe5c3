// Test photos (origins and licences in test/fixtures/LICENSES.md) and helpers to judge outputs.

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { FaceDetector } from "../../src/engine/face-detector";

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
