// The one error vocabulary of the API (SPEC §4): codes, their HTTP statuses and the body shape.
import { z } from "zod";

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_CREDITS: 402,
  FORBIDDEN: 403,
  CONSENT_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  OVERLOADED: 503,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** Sub-reasons carried in `error.reason`. */
export const ERROR_REASONS = [
  "TOKEN_MISSING",
  "TOKEN_EXPIRED",
  "TOKEN_INVALID",
  "NO_FACE",
  "MULTIPLE_FACES",
  "FACE_TOO_SMALL",
  "LOW_RESOLUTION",
  "SUBJECT_CROPPED",
  "CORRUPT_IMAGE",
  "UNSAFE_CONTENT",
  "TOO_MANY_PIXELS",
  "HEIC_UNSUPPORTED",
  "AGE_NOT_CONFIRMED",
  "RESTRICTED",
  "PREMIUM_ACTION_REQUIRED",
  "ENGINE_UNAVAILABLE",
  "TIMEOUT",
  "CANCELED",
  "INSTANCE_LOST",
  "ACCOUNT_ERASED",
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      requestId: z.string(),
      reason: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;
