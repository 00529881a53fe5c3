// Reads that arrive in one turn of the event loop leave as one query (src/db/batched-read.ts).
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client";
import { batchedRead } from "../../src/db/batched-read";

const turn = () => new Promise((resolve) => setImmediate(resolve));

function recorder(answer: (key: string) => string | undefined = (k) => `value of ${k}`) {
  const batches: string[][] = [];
  const read = batchedRead<string, string>({
    idOf: (key) => key,
    async load(_db, keys) {
      batches.push(keys);
      const found = new Map<string, string>();
      for (const key of keys) {
        const value = answer(key);
        if (value !== undefined) found.set(key, value);
      }
      return found;
    },
  });
  return { read, batches };
}

const db = {} as Database;

describe("batchedRead", () => {
  it("sends the reads of one turn as one load, each answered with its own value", async () => {
    const { read, batches } = recorder((k) => (k === "missing" ? undefined : `value of ${k}`));
    const answers = await Promise.all([read(db, "a"), read(db, "b"), read(db, "missing"), read(db, "c")]);
    expect(answers).toEqual(["value of a", "value of b", undefined, "value of c"]);
    expect(batches).toEqual([["a", "b", "missing", "c"]]);
  });

  it("asks for a key once however many reads of the turn want it", async () => {
    const { read, batches } = recorder();
    expect(await Promise.all([read(db, "a"), read(db, "a"), read(db, "b")])).toEqual([
      "value of a",
      "value of a",
      "value of b",
    ]);
    expect(batches).toEqual([["a", "b"]]);
  });

  it("sends a read of a later turn in a batch of its own, and a lone read after the turn it came in", async () => {
    const { read, batches } = recorder();
    const first = read(db, "a");
    await turn();
    const second = read(db, "b");
    expect(await Promise.all([first, second])).toEqual(["value of a", "value of b"]);
    expect(batches).toEqual([["a"], ["b"]]);
  });

  it("keeps the batches of two database handles apart", async () => {
    const { read, batches } = recorder();
    const other = {} as Database;
    await Promise.all([read(db, "a"), read(other, "b")]);
    expect(batches).toEqual([["a"], ["b"]]);
  });

  it("rejects every read of a batch whose query failed, and the next turn reads afresh", async () => {
    let fail = true;
    const read = batchedRead<string, string>({
      idOf: (key) => key,
      async load(_db, keys) {
        if (fail) throw new Error("connection lost");
        return new Map(keys.map((k) => [k, k.toUpperCase()]));
      },
    });
    const results = await Promise.allSettled([read(db, "a"), read(db, "b")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await read(db, "a")).toBe("A");
  });

  it("rejects the batch's reads when its answer can't be read, rather than leave them waiting", async () => {
    const read = batchedRead<string, string>({
      idOf: (key) => {
        if (key === "bad") throw new Error("no id for this key");
        return key;
      },
      load: async (_db, keys) => new Map(keys.filter((k) => k !== "bad").map((k) => [k, k])),
    });
    const bad = read(db, "x").then(() => read(db, "bad"));
    await expect(bad).rejects.toThrow("no id for this key");
  });

  it("splits a very busy turn into queries of at most 200 keys", async () => {
    const { read, batches } = recorder();
    const keys = Array.from({ length: 450 }, (_, i) => `k${i}`);
    const answers = await Promise.all(keys.map((k) => read(db, k)));
    expect(answers).toEqual(keys.map((k) => `value of ${k}`));
    expect(batches.map((b) => b.length)).toEqual([200, 200, 50]);
  });
});
