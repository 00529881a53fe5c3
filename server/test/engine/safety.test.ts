// The input safety classifier (src/engine/safety.ts): nsfwjs' preprocessing reproduced, the
// synthetic explicit fixture above the threshold, every portrait fixture below it.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { MODELS, MODELS_DIR } from "../../src/engine/models";
import { detectionCopy, openSource } from "../../src/engine/source-image";
import {
  createSafetyClassifier,
  explicitScore,
  SAFETY_CLASSES,
  UNSAFE_THRESHOLD,
  type SafetyClassifier,
} from "../../src/engine/safety";
import { EngineError } from "../../src/engine/types";
import type { RgbImage } from "../../src/engine/geometry";
import { fixture } from "./fixtures";
import { initialiseBackend, loadGraphModel, tf } from "./tfjs-reference";

let classifier: SafetyClassifier;
beforeAll(async () => {
  classifier = await createSafetyClassifier();
});

/** A fixture as the pipeline hands it to the classifier: its detection copy. */
const copyOf = async (name: string) => detectionCopy(await openSource(await fixture(name)));

const UNSAFE = "unsafe_synthetic.png";
/** Every photo in test/fixtures but the synthetic one: portraits, a group crop, a cat, objects. */
const PHOTOS = readdirSync(fileURLToPath(new URL("../fixtures/", import.meta.url))).filter(
  (f) => /\.(jpe?g|png|heic)$/.test(f) && f !== UNSAFE,
);

describe("safety classifier", () => {
  it("scores as nsfwjs does: pixels / 255, squeezed to 224² bilinearly with aligned corners", async () => {
    // nsfwjs 4.4.0 `infer`: fromPixels → toFloat → div(255) → resizeBilinear([224, 224], true).
    await initialiseBackend();
    const reference = await loadGraphModel(`${MODELS_DIR}${MODELS.nsfw.file}`);
    const { data, info } = await sharp(await fixture("one_face_neighbour_sample6_crop.jpg"))
      .resize(367, 500, { fit: "fill" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height };
    const want = tf.tidy(() => {
      const pixels = tf.div(tf.tensor3d(Float32Array.from(data), [info.height, info.width, 3]), 255);
      const resized = tf.image.resizeBilinear(
        pixels as Parameters<typeof tf.image.resizeBilinear>[0],
        [224, 224],
        true,
      );
      return (
        reference.execute(tf.reshape(resized, [1, 224, 224, 3]), "Identity") as ReturnType<typeof tf.tensor>
      ).dataSync();
    });
    reference.dispose();
    const got = await classifier.classify(image);
    // Not exact, the engine's resize rounding to bytes before / 255 (0.004 apart at most here);
    // resizing without aligned corners, or with half-pixel centres, moves Neutral by 0.04–0.08.
    SAFETY_CLASSES.forEach((c, i) => expect(Math.abs(got[c] - want[i]!), c).toBeLessThan(0.01));
  });

  it(`scores the synthetic explicit image as Porn, at or above ${UNSAFE_THRESHOLD}`, async () => {
    const scores = await classifier.classify(await copyOf(UNSAFE));
    expect(explicitScore(scores)).toBeGreaterThanOrEqual(UNSAFE_THRESHOLD);
    expect(Math.max(...Object.values(scores))).toBe(scores.Porn);
    await expect(classifier.assertSafe(await copyOf(UNSAFE))).rejects.toMatchObject({
      name: "EngineError",
      code: "UNSAFE_CONTENT",
    });
  });

  it.each(PHOTOS)("lets %s through, below the threshold", async (name) => {
    const copy = await copyOf(name);
    expect(explicitScore(await classifier.classify(copy))).toBeLessThan(UNSAFE_THRESHOLD);
    await expect(classifier.assertSafe(copy)).resolves.toBeUndefined();
  });

  it("says what it refused in the error's detail, and the user-facing sentence in its message", async () => {
    const err = await classifier.assertSafe(await copyOf(UNSAFE)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).detail).toMatch(/^explicit score \d\.\d{4} ≥ 0\.95 \(Drawing /);
    expect((err as EngineError).message).toMatch(/explicit content/);
  });
});
