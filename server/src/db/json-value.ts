// A json column's value as the driver gives it: postgres.js hands over the text, PGlite the parsed
// value. Queries that read a row as one JSON array (users.ts `userField`, jobs.ts `jobViewJson`)
// map it through this.
export function jsonValue<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
