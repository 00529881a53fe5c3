// Reads that arrive together leave together. Every /v1 request reads its caller's row, and under
// load dozens arrive in one turn of the event loop (each socket's data is its own callback, all in
// one poll phase). Instead of a query each, they wait until that turn is over (setImmediate runs
// after the poll phase) and go as one query for all their keys: one round trip, one statement for
// PostgreSQL to execute, one answer to parse. Alone, a read waits only for the current turn.
//
// Freshness is unchanged: a batch is sent after every read in it was asked for, so each sees every
// write committed before its request arrived, on any instance. Reads asking for the same key share
// one answer.
import type { Database } from "./client";

/** At most this many keys per query (a larger turn sends several). */
const MAX_KEYS = 200;

interface Waiting<K, V> {
  key: K;
  settle: Array<{ resolve(value: V | undefined): void; reject(error: unknown): void }>;
}

export interface BatchedReadOptions<K, V> {
  /** The key's identity: reads with the same id share one answer. */
  idOf(key: K): string;
  /** Reads the keys in one query; the answer maps an id to its value (absent: not found). */
  load(db: Database, keys: K[]): Promise<Map<string, V>>;
}

/** A read of one key that joins the current turn's batch; per database handle. */
export function batchedRead<K, V>(
  options: BatchedReadOptions<K, V>,
): (db: Database, key: K) => Promise<V | undefined> {
  const batches = new WeakMap<Database, Map<string, Waiting<K, V>>>();

  const send = (db: Database, waiting: Waiting<K, V>[]) => {
    const keys = waiting.map((w) => w.key);
    options
      .load(db, keys)
      .then((found) => {
        for (const w of waiting) {
          const value = found.get(options.idOf(w.key));
          for (const s of w.settle) s.resolve(value);
        }
      })
      .catch((error: unknown) => {
        // Settling twice does nothing: a read already answered keeps its answer.
        for (const w of waiting) for (const s of w.settle) s.reject(error);
      });
  };

  const flush = (db: Database) => {
    const batch = batches.get(db);
    batches.delete(db);
    if (!batch) return;
    const waiting = [...batch.values()];
    for (let i = 0; i < waiting.length; i += MAX_KEYS) send(db, waiting.slice(i, i + MAX_KEYS));
  };

  return (db, key) =>
    new Promise((resolve, reject) => {
      let batch = batches.get(db);
      if (!batch) {
        batch = new Map();
        batches.set(db, batch);
        setImmediate(flush, db);
      }
      const id = options.idOf(key);
      let waiting = batch.get(id);
      if (!waiting) batch.set(id, (waiting = { key, settle: [] }));
      waiting.settle.push({ resolve, reject });
    });
}
