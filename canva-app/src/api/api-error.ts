// What a failed API call looks like to the panel: the server's error body (SPEC §4), or a
// network failure that never reached the server, as one type the screens can switch on.
import { CanvaError } from "@canva/error";
import type { ErrorCode as CanvaErrorCode } from "@canva/error";
import type { ErrorCode } from "@headshot/shared";

/** `NETWORK` is ours, not the server's: the request never got an answer. */
export type PanelErrorCode = ErrorCode | "NETWORK";

export class ApiError extends Error {
  constructor(
    readonly code: PanelErrorCode,
    message: string,
    readonly details: {
      status?: number;
      reason?: string | undefined;
      requestId?: string | undefined;
      /** Seconds, from `Retry-After` on 429/503. */
      retryAfterS?: number | undefined;
    } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get reason(): string | undefined {
    return this.details.reason;
  }

  /** Worth trying the same request again later (the poller backs off on these). */
  get transient(): boolean {
    return ["NETWORK", "REQUEST_TIMEOUT", "RATE_LIMITED", "OVERLOADED", "UNAVAILABLE", "INTERNAL"].includes(
      this.code,
    );
  }
}

/** What the panel makes of the Canva SDK errors the token call can throw (PLATFORM.md "Errors"). */
const FROM_CANVA: Partial<Record<CanvaErrorCode, PanelErrorCode>> = {
  user_offline: "NETWORK",
  rate_limited: "RATE_LIMITED",
  // e.g. a suspended (hidden) panel: passes by itself, so transient.
  not_allowed: "UNAVAILABLE",
  timeout: "UNAVAILABLE",
  internal_error: "INTERNAL",
};

/** A CanvaError as the ApiError screens and the poller understand; anything else unchanged. */
export function fromCanvaError(error: unknown): unknown {
  if (!(error instanceof CanvaError)) return error;
  const code = FROM_CANVA[error.code];
  return code ? new ApiError(code, error.message) : error;
}
