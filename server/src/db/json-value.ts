// A json column's value, parsed: drivers hand one over parsed or as its text, as they are set up.
// Queries that read a row as one JSON array (users.ts `userField`, jobs.ts `jobViewJson`) map it
// through this.
export function jsonValue<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
