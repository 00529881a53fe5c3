// The photo a generation starts from, wherever it came from, and the checks made before it is
// sent (the server checks again by content; these only spare the user a pointless upload).
import type { ImageRef } from "@canva/asset";
import { ApiError } from "../../api/api-error";

export interface Photo {
  blob: Blob;
  fileName: string;
  /** An object URL for the thumbnail; revoked when the photo is replaced. */
  previewUrl: string;
  /** A photo from the design can be replaced in place by its headshot. */
  source: { kind: "file" } | { kind: "selection"; ref: ImageRef };
}

/** Same limit as the server's default MAX_UPLOAD_MB (SPEC §6.1). */
export const MAX_PHOTO_BYTES = 15 * 1024 * 1024;

export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"];
const ACCEPTED_EXTENSIONS = /\.(jpe?g|png|webp|heic|heif)$/i;

/** Throws the same ApiError the server would answer with, so one message table covers both. */
export function checkPhoto(file: Blob, fileName: string): void {
  // Browsers often leave `type` empty for HEIC: fall back to the extension.
  const typeOk =
    ACCEPTED_TYPES.includes(file.type) || (file.type === "" && ACCEPTED_EXTENSIONS.test(fileName));
  if (!typeOk) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Unsupported file type ${file.type || fileName}`);
  if (file.size > MAX_PHOTO_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", "The photo is larger than 15 MB");
}

export function photoFrom(blob: Blob, fileName: string, source: Photo["source"]): Photo {
  checkPhoto(blob, fileName);
  return { blob, fileName, previewUrl: URL.createObjectURL(blob), source };
}
