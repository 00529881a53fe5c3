// Signed, absolute URLs for an output and its thumbnail, ready for Canva's upload(): valid for
// FILE_URL_TTL_S, never beyond the output's own expiry.
import type { Config } from "../config/config";
import type { outputs } from "../db/schema";
import { createFileToken } from "../storage/file-tokens";

type OutputRow = typeof outputs.$inferSelect;

export function signedOutputUrls(
  config: Pick<Config, "publicBaseUrl" | "fileUrlSecret" | "FILE_URL_TTL_S">,
  output: Pick<OutputRow, "id" | "expiresAt">,
  now: Date,
): { url: string; thumbnailUrl: string } {
  const expiresAt = Math.floor(
    Math.min(now.getTime() + config.FILE_URL_TTL_S * 1000, output.expiresAt.getTime()) / 1000,
  );
  const link = (variant: "full" | "thumb") =>
    `${config.publicBaseUrl}/files/${createFileToken({ outputId: output.id, variant, expiresAt }, config.fileUrlSecret)}`;
  return { url: link("full"), thumbnailUrl: link("thumb") };
}
