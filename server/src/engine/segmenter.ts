// Person segmentation: MediaPipe Selfie Segmentation (tfjs graph model committed in
// server/models/selfie with its licence) → a soft 256×256 matte of the person.

import path from "node:path";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import { tf, tfc, MODELS_DIR, fileUrl, registerFileLoader } from "./tfjs-runtime";

/** The model's fixed input and output side. */
export const SEGMENT_SIZE = 256;

export interface Segmenter {
  /** `rgb` is SEGMENT_SIZE² RGB; returns SEGMENT_SIZE² person probabilities in 0..1. */
  segment(rgb: Uint8Array): Float32Array;
}

export async function createSegmenter(): Promise<Segmenter> {
  registerFileLoader();
  const model: GraphModel = await tfc.loadGraphModel(fileUrl(path.join(MODELS_DIR, "selfie/selfie.json")));
  const segmenter: Segmenter = {
    segment(rgb) {
      // The tensor leaves tidy, not its data: tidy walks a returned container key by key, which
      // for a 65 536-element typed array cost ~30 ms and a heap of garbage per photo.
      const out = tf.tidy(() => {
        const input = tf.div(tf.tensor4d(rgb, [1, SEGMENT_SIZE, SEGMENT_SIZE, 3], "float32"), 255);
        return model.execute(input) as ReturnType<typeof tf.tensor>;
      });
      try {
        return out.dataSync() as Float32Array;
      } finally {
        out.dispose();
      }
    },
  };
  // The first inference builds the model's wasm kernels: pay that here, not on a photo.
  segmenter.segment(new Uint8Array(SEGMENT_SIZE * SEGMENT_SIZE * 3));
  return segmenter;
}
