// HMAC-SHA256 signatures for the links we hand out without a login (file URLs, export downloads).
// The purpose is part of what is signed, so a signature made for one kind of link never
// verifies as another.
import { createHmac, timingSafeEqual } from "node:crypto";

export function sign(purpose: string, payload: string, secret: string): string {
  return createHmac("sha256", secret).update(`${purpose}:${payload}`).digest("base64url");
}

/** Constant-time check of a signature made by `sign`. */
export function verifySignature(
  purpose: string,
  payload: string,
  signature: string,
  secret: string,
): boolean {
  const expected = Buffer.from(sign(purpose, payload, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
