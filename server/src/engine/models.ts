// The five models the engine runs, committed in server/models (each with its licence notice) as
// tfjs graph models and run by ONNX Runtime (onnx/model.ts).

import path from "node:path";
import { SERVER_DIR } from "../locations";

/** Directory holding our committed models (server/models). */
export const MODELS_DIR = path.join(SERVER_DIR, "models/");

/** A model: its file under MODELS_DIR, the outputs read (in this order), and its input's
 * normalisation, `pixel / scale − offset`. */
export interface ModelSpec {
  file: string;
  outputs: readonly string[];
  scale: number;
  offset: number;
  /** Intra-op threads (default 1). The safety classifier, the one large model, runs alone in its
   * stage and takes two: 12 → 8.5 ms, the second core otherwise idle then. */
  threads?: number;
}

export const MODELS = {
  /** MediaPipe BlazeFace, back-camera variant: scores then rows of the 16 × 16 grid's anchors, then
   * of the 8 × 8 grid's; pixels in −1..1. */
  blazeface: {
    file: "blazeface/blazeface.json",
    outputs: ["Identity", "Identity_2", "Identity_1", "Identity_3"],
    scale: 127.5,
    offset: 1,
  },
  /** MediaPipe FaceMesh: confidence, 468 × (x, y, z) in crop pixels. */
  facemesh: { file: "facemesh/facemesh.json", outputs: ["Identity_1", "Identity_2"], scale: 255, offset: 0 },
  /** MediaPipe face landmarks with attention: per eye (left, right), iris then contour. */
  attention: {
    file: "facemesh-attention/facemesh-attention-pinto.json",
    outputs: ["output_left_iris", "output_left_eye", "output_right_iris", "output_right_eye"],
    scale: 255,
    offset: 0,
  },
  /** MediaPipe Selfie Segmentation: person probability per pixel. */
  selfie: { file: "selfie/selfie.json", outputs: ["activation_10"], scale: 255, offset: 0 },
  /** nsfwjs' MobileNetV2 "mid" classifier: probabilities of Drawing, Hentai, Neutral, Porn, Sexy.
   * Pixels in 0..1 as nsfwjs gives them (the graph itself maps them to −1..1). */
  nsfw: {
    file: "nsfw/mobilenet_v2_mid.json",
    outputs: ["Identity"],
    scale: 255,
    offset: 0,
    threads: 2,
  },
} as const satisfies Record<string, ModelSpec>;
