// The history page cursor (GET /v1/headshots, SPEC §4): the last job's creation time and id,
// opaque to the client. Decoding accepts exactly what encoding produces — a real instant from
// 1970 to 9999 and a UUID — so a cursor of the right shape with a made-up date or id is a 400, never a
// value PostgreSQL refuses.
import { isUuid } from "@headshot/shared";
import { ApiError } from "../http/api-error";

// PostgreSQL parses four-digit years only as written by toISOString ("+010000-…" is refused).
const LATEST_MS = Date.UTC(10000, 0, 1);

export interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(text: string): HistoryCursor {
  const [at = "", id = "", ...rest] = Buffer.from(text, "base64url").toString().split("|");
  const createdAt = new Date(at);
  const valid =
    rest.length === 0 &&
    isUuid(id) &&
    createdAt.getTime() >= 0 &&
    createdAt.getTime() < LATEST_MS &&
    // Round-trips only for the canonical form: no 31 February, no padding or other spelling.
    encodeCursor({ createdAt, id }) === text;
  if (!valid) {
    throw new ApiError("BAD_REQUEST", "The page cursor is not valid; start again from the first page.");
  }
  return { createdAt, id };
}
