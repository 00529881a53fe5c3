// The one place errors become responses: ApiError, Hono's HTTPException, validation errors and
// anything unexpected all leave as the SPEC §4 error body with the request id.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import type { ErrorBody, ErrorCode } from "@headshot/shared";
import { ApiError } from "./api-error";
import type { HonoEnv } from "./env";

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  408: "REQUEST_TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE",
  429: "RATE_LIMITED",
  503: "UNAVAILABLE",
};

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return validationError(err);
  if (err instanceof HTTPException) {
    const code = CODE_BY_STATUS[err.status] ?? "INTERNAL";
    return new ApiError(code, err.status === 413 ? "The request body is too large." : err.message || code, {
      cause: err,
    });
  }
  return new ApiError("INTERNAL", "Something went wrong on our side. Please try again.", { cause: err });
}

export function validationError(err: ZodError): ApiError {
  const first = err.issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  return new ApiError("BAD_REQUEST", `${where}${first?.message ?? "Invalid request."}`, {
    details: err.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

export function errorResponse<E extends HonoEnv>(c: Context<E>, error: ApiError): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      requestId: c.get("requestId") ?? "unknown",
      ...(error.reason ? { reason: error.reason } : {}),
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  };
  return c.json(body, error.status as ContentfulStatusCode, error.headers);
}

export function onError(err: Error, c: Context<HonoEnv>): Response {
  const error = toApiError(err);
  const log = c.get("services")?.logger;
  if (error.status >= 500 && error.code !== "UNAVAILABLE" && error.code !== "OVERLOADED") {
    // The cause's stack, never the request: bodies and tokens stay out of logs.
    log?.error({ requestId: c.get("requestId"), err: error.cause ?? error }, "request failed");
  }
  return errorResponse(c, error);
}
