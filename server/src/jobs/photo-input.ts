// Checking the uploaded photo (SPEC §6.1) once it has arrived (generation-form.ts reads it): type
// by content, then a header-only probe for size and megapixels before anything decodes (the
// engine decodes, HEIC/HEIF included). The photo never leaves memory.
import { fileTypeFromBuffer } from "file-type";
import type { Metadata } from "sharp";
import { ApiError } from "../http/api-error";

export const MAX_MEGAPIXELS = 50;
export const MIN_SHORT_SIDE = 400;

const ACCEPTED: Record<string, "jpeg" | "png" | "webp" | "heif"> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/heic": "heif",
  "image/heif": "heif",
  "image/heic-sequence": "heif",
  "image/heif-sequence": "heif",
};

/** Checks the photo's bytes without decoding its pixels: content type, dimensions, megapixels. */
export async function inspectPhoto(photo: Uint8Array): Promise<void> {
  const type = await fileTypeFromBuffer(photo);
  const format = type ? ACCEPTED[type.mime] : undefined;
  if (!format) {
    throw new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      "This file is not a photo we can read. Please upload a JPEG, PNG, WebP or HEIC image.",
    );
  }
  if (format === "heif") return checkDimensions(...(await heifDimensions(photo)));

  // libvips is loaded on the first upload, not at start-up (~0.1 s); the engine's threads load their own.
  const { default: sharp } = await import("sharp");
  let meta: Metadata;
  try {
    meta = await sharp(photo, { limitInputPixels: false }).metadata();
  } catch {
    throw corrupt();
  }
  checkDimensions(meta.width, meta.height);
}

function checkDimensions(width: number | undefined, height: number | undefined): void {
  if (!width || !height) throw corrupt();
  if (width * height > MAX_MEGAPIXELS * 1_000_000) {
    throw new ApiError(
      "UNPROCESSABLE",
      `This photo has more than ${MAX_MEGAPIXELS} megapixels. Please use a smaller photo.`,
      { reason: "TOO_MANY_PIXELS" },
    );
  }
  if (Math.min(width, height) < MIN_SHORT_SIDE) {
    throw new ApiError(
      "UNPROCESSABLE",
      `This photo is too small (${width}×${height}). Please use one at least ${MIN_SHORT_SIDE} pixels on its shortest side.`,
      { reason: "LOW_RESOLUTION" },
    );
  }
}

function corrupt(): ApiError {
  return new ApiError(
    "UNPROCESSABLE",
    "We couldn't read this image; the file looks damaged. Please try another photo.",
    {
      reason: "CORRUPT_IMAGE",
    },
  );
}

/**
 * A HEIC/HEIF's size from its container, without decoding a pixel (sharp's libvips can't read
 * HEVC; the engine decodes it in its worker, off this event loop).
 */
async function heifDimensions(photo: Uint8Array): Promise<[number, number]> {
  // Loaded on the first HEIC upload: most servers start and run without ever needing it.
  const { default: heif } = await import("heic-decode");
  let images;
  try {
    images = await heif.all({ buffer: photo });
  } catch {
    throw corrupt();
  }
  try {
    const primary = images[0];
    if (!primary) throw corrupt();
    return [primary.width, primary.height];
  } finally {
    images.dispose();
  }
}
