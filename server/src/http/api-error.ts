// ApiError: the one exception routes and middleware throw; the app's onError turns it into the
// SPEC §4 body. Status comes from the code, so the two can never disagree.
import { ERROR_STATUS, type ErrorCode, type ErrorReason } from "@headshot/shared";

export interface ApiErrorOptions {
  reason?: ErrorReason;
  /** Extra response headers, e.g. Retry-After on 429/503. */
  headers?: Record<string, string>;
  details?: unknown;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: (typeof ERROR_STATUS)[ErrorCode];
  readonly reason: ErrorReason | undefined;
  readonly headers: Record<string, string>;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.reason = options.reason;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}
