// Signed, absolute URLs for an output and its thumbnail, ready for Canva's upload(): valid for
// FILE_URL_TTL_S, never beyond the output's own expiry.
import type { Config } from "../config/config";
import type { outputs } from "../db/schema";
import { createFileToken } from "../storage/file-tokens";

type OutputRow = typeof outputs.$inferSelect;
type UrlConfig = Pick<Config, "publicBaseUrl" | "fileUrlSecret" | "FILE_URL_TTL_S">;
type OutputUrls = { url: string; thumbnailUrl: string };

function urlsExpiringAt(config: UrlConfig, outputId: string, expiresAt: number): OutputUrls {
  const link = (variant: "full" | "thumb") =>
    `${config.publicBaseUrl}/files/${createFileToken({ outputId, variant, expiresAt }, config.fileUrlSecret)}`;
  return { url: link("full"), thumbnailUrl: link("thumb") };
}

/** Links expiring exactly FILE_URL_TTL_S from `now` (to the second), or with the output. */
export function signedOutputUrls(
  config: UrlConfig,
  output: Pick<OutputRow, "id" | "expiresAt">,
  now: Date,
): OutputUrls {
  const expiresAt = Math.floor(
    Math.min(now.getTime() + config.FILE_URL_TTL_S * 1000, output.expiresAt.getTime()) / 1000,
  );
  return urlsExpiringAt(config, output.id, expiresAt);
}

// The Job view's links (a poll every 2 s from every waiting panel, twelve outputs, two HMACs
// each: issue 20's profile). Their expiry is rounded UP to a step of FILE_URL_TTL_S / 60 (1 s to
// 60 s; 60 s for the default hour), so a link still lives at least FILE_URL_TTL_S — at most one
// step longer, and never past the output's own expiry — and every poll within a step hands out the
// same links, signed once. The cache holds only what is derived from an output's id, the secret
// and that expiry (all immutable): no database state, so a deleted output's link still 404s.
const CACHED_LINKS = 20_000;
const linkCaches = new WeakMap<UrlConfig, { base: string; secret: string; links: Map<string, OutputUrls> }>();

export function linkExpiryStep(ttlSeconds: number): number {
  return Math.min(60, Math.max(1, Math.floor(ttlSeconds / 60)));
}

export function jobOutputUrls(
  config: UrlConfig,
  output: Pick<OutputRow, "id" | "expiresAt">,
  now: Date,
): OutputUrls {
  const step = linkExpiryStep(config.FILE_URL_TTL_S);
  const expiresAt = Math.min(
    Math.ceil((now.getTime() / 1000 + config.FILE_URL_TTL_S) / step) * step,
    Math.floor(output.expiresAt.getTime() / 1000),
  );
  let entry = linkCaches.get(config);
  if (entry?.base !== config.publicBaseUrl || entry.secret !== config.fileUrlSecret) {
    entry = { base: config.publicBaseUrl, secret: config.fileUrlSecret, links: new Map() };
    linkCaches.set(config, entry);
  }
  const cache = entry.links;
  const key = `${output.id}.${expiresAt}`;
  let urls = cache.get(key);
  if (!urls) {
    urls = urlsExpiringAt(config, output.id, expiresAt);
    // Insertion order is age: drop the oldest (its step is over, or it is a long-gone output's).
    if (cache.size >= CACHED_LINKS) cache.delete(cache.keys().next().value!);
    cache.set(key, urls);
  }
  return urls;
}
