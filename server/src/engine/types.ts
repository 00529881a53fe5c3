// The engine contract (SPEC §7.1): what callers hand an engine, what it returns, and its typed
// errors. Engines know nothing of HTTP, users or billing.

import type { Aspect, StyleId } from "@headshot/shared";

export type EngineErrorCode =
  | "NO_FACE"
  | "MULTIPLE_FACES"
  | "FACE_TOO_SMALL"
  | "LOW_RESOLUTION"
  | "SUBJECT_CROPPED"
  | "CORRUPT_IMAGE"
  | "UNSAFE_CONTENT"
  | "ENGINE_UNAVAILABLE"
  | "TIMEOUT"
  | "OVERLOADED"
  | "CANCELED";

/** One sentence per code, written for the person who uploaded the photo. */
export const ENGINE_ERROR_MESSAGES: Record<EngineErrorCode, string> = {
  NO_FACE: "We couldn't find a face in this photo. Please use a photo where your face is clearly visible.",
  MULTIPLE_FACES: "This photo shows more than one person. Please use a photo of just you.",
  FACE_TOO_SMALL: "Your face is too small in this photo. Please use a closer or higher-resolution photo.",
  LOW_RESOLUTION: "This photo is too small. Please use a photo at least 400 pixels on its shortest side.",
  SUBJECT_CROPPED:
    "This photo is cropped too close: your head and shoulders need to be in the picture. Please use a photo that shows your head and shoulders with some space around them.",
  CORRUPT_IMAGE: "We couldn't read this image. Please upload a JPEG or PNG photo.",
  UNSAFE_CONTENT:
    "This photo can't be used: it looks like it contains explicit content. Please use a different photo of yourself.",
  ENGINE_UNAVAILABLE: "The headshot engine is unavailable right now. Please try again in a moment.",
  TIMEOUT: "Creating your headshots took too long. Please try again.",
  OVERLOADED: "We're busy right now. Please try again in a moment.",
  CANCELED: "Headshot creation was canceled.",
};

export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    /** Developer detail for logs; never shown to the user. */
    readonly detail?: string,
  ) {
    super(ENGINE_ERROR_MESSAGES[code]);
  }
}

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}

/** Pipeline stages reported through `onProgress`; the API adds its own "storing". */
export type Stage = "validating" | "detecting" | "framing" | "segmenting" | "rendering";

/** Spare bytes a handed-over photo's buffer may hold after the photo. An upload's buffer is sized
 * to its request, so the form around the photo is left after it; the upload reader copies a photo
 * out of a buffer with more to spare. */
export const HAND_OVER_SPARE_BYTES = 64 * 1024;

export interface EngineRequest {
  photo: Uint8Array;
  /**
   * The caller gives the photo and its buffer up: the studio engine moves the buffer to the worker
   * thread instead of copying the photo, and the caller's copy is left empty (detached). Only for
   * a photo of more than `HAND_OVER_SPARE_BYTES` at the start of a buffer with at most that after
   * it (an upload's); a smaller one (it may share Node's pool of small buffers) or one elsewhere in
   * a larger buffer is copied.
   */
  handOver?: boolean;
  styles: StyleId[];
  aspects: Aspect[];
  signal?: AbortSignal;
  /** `progress` is the fraction (0..1) of the whole job done when the stage starts or advances. */
  onProgress?: (stage: Stage, progress: number) => void;
}

export interface EngineThumbnail {
  width: number;
  height: number;
  mimeType: "image/jpeg";
  data: Uint8Array;
}

export interface EngineImage {
  style: StyleId;
  aspect: Aspect;
  width: number;
  height: number;
  mimeType: "image/jpeg";
  data: Uint8Array;
  thumbnail: EngineThumbnail;
}

/**
 * What the engine learnt about the photo, for logs and for telling the user about quality.
 * Geometry only: there is deliberately no embedding or identity template (SPEC §7.2, seed 000).
 */
export interface EngineMetadata {
  /** Source size after EXIF orientation. */
  sourceWidth: number;
  sourceHeight: number;
  /** Output pixels per source pixel (> 1 means the face was enlarged). */
  upscale: number;
  /** True when `upscale` exceeds 1.5: the result is softer than a native-resolution one. */
  upscaled: boolean;
  /** Roll applied to level the eyes, in degrees. */
  rollDegrees: number;
  /** The eyes' tilt left in the outputs, in degrees: within 8° unless the photo's edges allowed
   * no more levelling (SPEC §7.2.1). */
  tiltDegrees: number;
  /** True when the frame reached past the photo's edges and was padded. */
  padded: boolean;
  /** Per-channel gains of the cast correction (1 = untouched). */
  whiteBalance: readonly [number, number, number];
  /** Wall time of the whole job inside the engine, and per stage. */
  durationMs: number;
  stageMs: Partial<Record<Stage, number>>;
}

export interface EngineResult {
  images: EngineImage[];
  metadata: EngineMetadata;
}

/** What the generative engine may send a GPU provider (SPEC §7.3): checked, downscaled, clean. */
export interface PreparedPhoto {
  /** JPEG, sRGB, auto-oriented, long side ≤ 1536 px, no metadata. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface PrepareRequest {
  photo: Uint8Array;
  signal?: AbortSignal;
}

export interface EngineStats {
  running: number;
  queued: number;
  /** Jobs the engine accepts at once: workers + queue slots. */
  capacity: number;
}

/** Whether an engine's workers have what they need to run (their models), or failed to get it. */
export type EngineReadiness = "warming" | "ready" | "failed";

export interface Engine {
  generate(req: EngineRequest): Promise<EngineResult>;
  /**
   * The checks every engine's input passes (SPEC §6.1: decodes, safe, one face, resolution), then
   * the photo downscaled for a generative provider. Runs on the same workers and capacity.
   */
  prepare(req: PrepareRequest): Promise<PreparedPhoto>;
  stats(): EngineStats;
  /** Absent: always ready (an engine with nothing to load). */
  readiness?(): EngineReadiness;
  /** Starts loading what the engine needs, if it has not yet; resolves when it is ready, rejects
   * when it can't become so (absent: nothing to load). */
  warm?(): Promise<void>;
  close(): Promise<void>;
}
