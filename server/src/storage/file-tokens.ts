// Signed, expiring file tokens (SPEC §4 `/files/:token`): HMAC-SHA256 over the output id, the
// variant and the expiry. A URL names exactly one file and stops working at its expiry.
import { isUuid } from "@headshot/shared";
import { sign, verifySignature } from "../crypto/signature";

export type FileVariant = "full" | "thumb";

export interface FileTokenClaims {
  outputId: string;
  variant: FileVariant;
  /** Expiry in epoch seconds. */
  expiresAt: number;
}

const VARIANT_CODE: Record<FileVariant, string> = { full: "f", thumb: "t" };

export function createFileToken(claims: FileTokenClaims, secret: string): string {
  const payload = `${claims.outputId}.${VARIANT_CODE[claims.variant]}.${claims.expiresAt.toString(36)}`;
  return `${payload}.${sign("file", payload, secret)}`;
}

/** The claims of a genuine, unexpired token; undefined for anything else. */
export function verifyFileToken(token: string, secret: string, nowMs: number): FileTokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 4) return undefined;
  const [outputId, variantCode, expiry, signature] = parts as [string, string, string, string];
  if (!verifySignature("file", `${outputId}.${variantCode}.${expiry}`, signature, secret)) return undefined;
  const variant = variantCode === "f" ? "full" : variantCode === "t" ? "thumb" : undefined;
  const expiresAt = parseInt(expiry, 36);
  if (!variant || !isUuid(outputId) || !Number.isSafeInteger(expiresAt)) return undefined;
  if (expiresAt * 1000 <= nowMs) return undefined;
  return { outputId, variant, expiresAt };
}
