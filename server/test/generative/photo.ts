// The model input the generative engine sends: a real photo as a small JPEG data URL, a style's
// prompt and the 4:5 aspect ratio.
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import type { PredictionRequest } from "../../src/generative/provider";

const PHOTO = new URL("../fixtures/one_face_sample1_crop.jpg", import.meta.url);

let photoDataUrl: Promise<string> | undefined;

/** The fixture photo, downscaled, as a JPEG data URL (built once per test file). */
export function photoAsDataUrl(): Promise<string> {
  photoDataUrl ??= readFile(PHOTO)
    .then((bytes) => sharp(bytes).resize(256).jpeg().toBuffer())
    .then((jpeg) => `data:image/jpeg;base64,${jpeg.toString("base64")}`);
  return photoDataUrl;
}

export async function predictionRequest(
  webhookUrl: string,
  prompt = "studio grey backdrop, soft key light, business attire",
): Promise<PredictionRequest> {
  return {
    id: crypto.randomUUID(),
    input: {
      input_image: await photoAsDataUrl(),
      prompt,
      aspect_ratio: "4:5",
      output_format: "jpg",
      seed: 7,
    },
    webhookUrl,
    deadlineS: 300,
  };
}
