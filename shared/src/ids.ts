// Our ids are UUIDs (PostgreSQL gen_random_uuid); checking the shape first turns a malformed id in
// a URL into a plain "not found" instead of a database error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
