// Input safety (SPEC §6.1): nsfwjs' image classifier (server/models/nsfw, MIT, run by ONNX
// Runtime) scores the photo before the engine does any work on it; an explicit one is refused.

import { level } from "./sampling";
import type { RgbImage } from "./geometry";
import { MODELS } from "./models";
import { loadModel } from "./onnx/model";
import { EngineError } from "./types";

/** The model's classes, in the order of its outputs (nsfwjs' `NSFW_CLASSES`). */
export const SAFETY_CLASSES = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] as const;
export type SafetyClass = (typeof SAFETY_CLASSES)[number];
export type SafetyScores = Record<SafetyClass, number>;

/** The model's input side, as nsfwjs resizes to. */
export const SAFETY_SIZE = 224;

/**
 * Porn + Hentai at or above this refuses the photo. "Sexy" (swimwear, low necklines, short
 * dresses) is not counted: such photos are fine to make headshots from. Calibrated with
 * scripts/safety-calibration.ts on test/fixtures and the six party photos of npm
 * `@vladmandic/face-api` 1.7.15 (engine README, "Safety"): whole photos score at most 0.30, the
 * 1351 crops a user would make of one person (head and shoulders to half body) at most 0.82 —
 * women in low-cut dresses, which this model often takes for Porn or Hentai once the crop is
 * tight. 0.95 leaves them a margin; the synthetic explicit image scores 0.99997. Arbitrary
 * windows are another matter: 6 of 1225 with one face in them (a face at the corner, the rest
 * bare skin and cleavage) and 64 of 2006 without reach 0.95, a few up to 0.996.
 */
export const UNSAFE_THRESHOLD = 0.95;

/** The probability the model gives the explicit classes. */
export const explicitScore = (s: SafetyScores) => s.Porn + s.Hentai;

export interface SafetyClassifier {
  /** The model's probability per class for the image, resized as nsfwjs does. One call at a time
   * (the model's input buffer is its own), as in the rest of the pipeline. */
  classify(image: RgbImage): Promise<SafetyScores>;
  /** Throws UNSAFE_CONTENT when the image's explicit score reaches UNSAFE_THRESHOLD. */
  assertSafe(image: RgbImage): Promise<void>;
}

export async function createSafetyClassifier(): Promise<SafetyClassifier> {
  const model = await loadModel(MODELS.nsfw);
  const classifier: SafetyClassifier = {
    async classify(image) {
      const [probabilities] = await model.run(modelInput(image));
      return Object.fromEntries(SAFETY_CLASSES.map((c, i) => [c, probabilities![i]!])) as SafetyScores;
    },
    async assertSafe(image) {
      const scores = await classifier.classify(image);
      const explicit = explicitScore(scores);
      if (explicit >= UNSAFE_THRESHOLD)
        throw new EngineError(
          "UNSAFE_CONTENT",
          `explicit score ${explicit.toFixed(4)} ≥ ${UNSAFE_THRESHOLD} (${summary(scores)})`,
        );
    },
  };
  // The first inference plans the model's kernels: pay that here, not on a photo.
  await classifier.classify({
    data: new Uint8Array(SAFETY_SIZE * SAFETY_SIZE * 3),
    width: SAFETY_SIZE,
    height: SAFETY_SIZE,
  });
  return classifier;
}

/**
 * The image squeezed to SAFETY_SIZE² as nsfwjs feeds its model: bilinear with aligned corners
 * (`tf.image.resizeBilinear(img, [224, 224], true)`, the aspect ratio not kept), by the `level`
 * kernel; the model then sees pixel / 255. The kernel works in fixed point and rounds to bytes,
 * where nsfwjs resizes floats: under one level apart (0.2 on average, on a portrait).
 */
function modelInput({ data, width, height }: RgbImage): Uint8Array {
  const kx = (width - 1) / (SAFETY_SIZE - 1);
  const ky = (height - 1) / (SAFETY_SIZE - 1);
  return level(data, width, height, SAFETY_SIZE, SAFETY_SIZE, (u, v) => ({ x: u * kx, y: v * ky })).slice();
}

const summary = (s: SafetyScores) => SAFETY_CLASSES.map((c) => `${c} ${s[c].toFixed(4)}`).join(", ");
