// Short-lived download links for a user's export, so the panel can open it in a browser tab
// (Canva's requestOpenExternalUrl carries no token). The link names one user and expires in
// ten minutes; whoever holds it can read that export, so it is shown only to the user.
import { isUuid } from "@headshot/shared";
import type { Config } from "../config/config";
import { sign, verifySignature } from "../crypto/signature";

export const EXPORT_LINK_TTL_S = 10 * 60;

export function exportDownloadUrl(
  config: Pick<Config, "publicBaseUrl" | "fileUrlSecret">,
  userId: string,
  now: Date,
): string {
  const payload = `${userId}.${(Math.floor(now.getTime() / 1000) + EXPORT_LINK_TTL_S).toString(36)}`;
  return `${config.publicBaseUrl}/exports/${payload}.${sign("export", payload, config.fileUrlSecret)}`;
}

/** The user a genuine, unexpired export token names; undefined for anything else. */
export function verifyExportToken(token: string, secret: string, nowMs: number): string | undefined {
  const [userId, expiry, signature, ...rest] = token.split(".");
  if (!userId || !expiry || !signature || rest.length) return undefined;
  if (!verifySignature("export", `${userId}.${expiry}`, signature, secret)) return undefined;
  const expiresAt = parseInt(expiry, 36);
  if (!isUuid(userId) || !Number.isSafeInteger(expiresAt) || expiresAt * 1000 <= nowMs) return undefined;
  return userId;
}
