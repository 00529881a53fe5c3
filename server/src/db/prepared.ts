// Prepared hot queries (issue 20): drizzle builds a query's SQL text on every call, which costs
// more CPU than the database takes to answer a primary-key read. A query prepared once per
// database handle is only bound and sent. Only for the root handle: a statement prepared on it
// runs outside any transaction, so functions that may run inside one keep building theirs.
import type { Database } from "./client";

export function preparedPerDatabase<T>(prepare: (db: Database) => T): (db: Database) => T {
  const byDatabase = new WeakMap<Database, T>();
  return (db) => {
    let statement = byDatabase.get(db);
    if (statement === undefined) {
      statement = prepare(db);
      byDatabase.set(db, statement);
    }
    return statement;
  };
}
