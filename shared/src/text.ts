// Text accepted from outside (SPEC §4): PostgreSQL can't store a NUL character in text, so input
// holding one is refused at the edge as a bad request instead of failing in the database.
import { z } from "zod";

export const NUL_MESSAGE = "must not contain a NUL character";

export function hasNul(value: string): boolean {
  return value.includes("\u0000");
}

/** A string without NUL; chain `.min()` / `.max()` as with `z.string()`. */
export const PlainText = z.string().refine((value) => !hasNul(value), NUL_MESSAGE);
