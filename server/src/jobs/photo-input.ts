// Reading the uploaded photo (SPEC §6.1): counted while it streams and refused at MAX_UPLOAD_MB
// before it is all in memory; type by content; a header-only probe for size and megapixels
// before anything decodes (the engine decodes, HEIC/HEIF included). The photo never leaves memory.
import { fileTypeFromBuffer } from "file-type";
import heif from "heic-decode";
import sharp, { type Metadata } from "sharp";
import { ASPECT_IDS, STYLE_IDS, type Aspect, type StyleId } from "@headshot/shared";
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

export interface GenerationInput {
  photo: Uint8Array;
  styles: StyleId[];
  aspects: Aspect[];
}

/** A request body stream that fails with 413 as soon as it passes `maxBytes`. */
export function limitStream(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    "PAYLOAD_TOO_LARGE",
    `The photo is larger than ${Math.round(maxBytes / 1024 / 1024)} MB. Please use a smaller photo.`,
  );
}

/** Parses the multipart form with the byte limit applied while it streams. */
export async function readGenerationForm(request: Request, maxPhotoBytes: number): Promise<GenerationInput> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new ApiError("BAD_REQUEST", "Send the photo as multipart/form-data with a `photo` field.");
  }
  // Form fields and boundaries add a little to the photo itself.
  const maxBody = maxPhotoBytes + 64 * 1024;
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBody) throw tooLarge(maxPhotoBytes);
  if (!request.body) throw new ApiError("BAD_REQUEST", "The request has no body.");

  let form: FormData;
  try {
    form = await new Request(request.url, {
      method: "POST",
      headers: { "Content-Type": type },
      body: limitStream(request.body, maxBody),
      duplex: "half",
    } as RequestInit).formData();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof Error && err.cause instanceof ApiError) throw err.cause;
    throw new ApiError("BAD_REQUEST", "The upload could not be read as a multipart form.");
  }

  const photo = form.get("photo");
  if (!(photo instanceof Blob) || photo.size === 0) {
    throw new ApiError("BAD_REQUEST", "Add a photo in the `photo` field.");
  }
  if (photo.size > maxPhotoBytes) throw tooLarge(maxPhotoBytes);
  return {
    photo: new Uint8Array(await photo.arrayBuffer()),
    styles: readChoice(form, "styles", STYLE_IDS, "style"),
    aspects: readChoice(form, "aspects", ASPECT_IDS, "aspect ratio"),
  };
}

/** Repeated fields or one comma-separated field; absent means all (SPEC §4 defaults). */
function readChoice<T extends string>(
  form: FormData,
  field: string,
  allowed: readonly T[],
  noun: string,
): T[] {
  const values = form
    .getAll(field)
    .flatMap((v) => (typeof v === "string" ? v.split(",") : []))
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length === 0) return [...allowed];
  const unknown = values.filter((v) => !allowed.includes(v as T));
  if (unknown.length) {
    throw new ApiError(
      "BAD_REQUEST",
      `Unknown ${noun}: ${unknown.join(", ")}. Choose from ${allowed.join(", ")}.`,
    );
  }
  return allowed.filter((a) => values.includes(a));
}

/**
 * Checks the photo's bytes without decoding its pixels: content type, dimensions, megapixels.
 * Returns bytes the engine can read (HEIC/HEIF is decoded to a lossless PNG in memory, since the
 * engine's libvips cannot read HEVC).
 */
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
