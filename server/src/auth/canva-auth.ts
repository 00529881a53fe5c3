// canvaAuth middleware: reads `Authorization: Bearer <Canva user token>`, verifies it and puts the
// caller's identity on the context as `identity` (SPEC §5.1). Failures are thrown as ApiError.
import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../http/api-error";
import { requestHeader } from "../http/request-header";
import type { CanvaIdentity, CanvaTokenVerifier } from "./verify-canva-token";

export type CanvaAuthVariables = { identity: CanvaIdentity };

export interface CanvaAuthOptions {
  verifier: CanvaTokenVerifier;
  /** Called before a 401 is re-thrown, e.g. to count failed authentication per IP. */
  onFailure?: (c: Context) => Promise<void> | void;
}

const BEARER = /^Bearer(?:[ \t]+(.*))?$/i;
// A compact JWS is base64url segments joined by dots; anything else is rejected before parsing.
const TOKEN_ALPHABET = /^[A-Za-z0-9_.-]+$/;

export const canvaAuth = (
  options: CanvaAuthOptions,
): MiddlewareHandler<{ Variables: CanvaAuthVariables }> => {
  const { verifier, onFailure } = options;

  return async function canvaAuth(c, next) {
    let identity: CanvaIdentity;
    try {
      identity = await verifier.verify(readBearerToken(requestHeader(c, "authorization")));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) await onFailure?.(c);
      throw error;
    }
    c.set("identity", identity);
    await next();
  };
};

function readBearerToken(header: string | undefined): string {
  const value = header?.trim();
  if (!value) {
    throw new ApiError("UNAUTHORIZED", "Sign-in required: send a Canva user token.", {
      reason: "TOKEN_MISSING",
    });
  }
  const match = BEARER.exec(value);
  if (!match) throw malformed("The Authorization header must use the Bearer scheme.");
  const token = match[1]?.trim() ?? "";
  if (token === "") throw malformed("The Bearer token is empty.");
  if (!TOKEN_ALPHABET.test(token)) throw malformed("The Bearer token is not a JWT.");
  return token;
}

function malformed(message: string): ApiError {
  return new ApiError("UNAUTHORIZED", message, { reason: "TOKEN_INVALID" });
}
