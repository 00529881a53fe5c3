// Person segmentation: MediaPipe Selfie Segmentation (tfjs graph model committed in
// server/models/selfie with its licence, run by ONNX Runtime) → a soft 256×256 matte of the person.

import { loadModel } from "./onnx/model";
import { MODELS } from "./models";

/** The model's fixed input and output side. */
export const SEGMENT_SIZE = 256;

export interface Segmenter {
  /** `rgb` is SEGMENT_SIZE² RGB; returns SEGMENT_SIZE² person probabilities in 0..1. */
  segment(rgb: Uint8Array): Promise<Float32Array>;
}

export async function createSegmenter(): Promise<Segmenter> {
  const model = await loadModel(MODELS.selfie);
  const segmenter: Segmenter = {
    async segment(rgb) {
      const [matte] = await model.run(rgb);
      return matte!;
    },
  };
  // The first inference plans the model's kernels: pay that here, not on a photo.
  await segmenter.segment(new Uint8Array(SEGMENT_SIZE * SEGMENT_SIZE * 3));
  return segmenter;
}
