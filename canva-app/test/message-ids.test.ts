// @vitest-environment node
// The build's message-id transform through its cache on disk gives exactly what the transform
// gives, follows an edit, and keeps one entry per source file.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addMessageIds, cachedMessageIds, hasMessages } from "../scripts/message-ids.mjs";

const cacheDir = mkdtempSync(path.join(tmpdir(), "message-ids-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const source = (label: string) => `import { defineMessages } from "react-intl";
export const messages = defineMessages({
  go: { defaultMessage: "${label}", description: "A button" },
});
`;
const file = "/app/canva-app/src/screens/example.tsx";

describe("message ids through the cache", () => {
  it("gives the transform's output, with an id, first made and then read back", () => {
    const made = cachedMessageIds(source("Go"), file, cacheDir);
    expect(made).toBe(addMessageIds(source("Go"), file));
    expect(made).toMatch(/id: "[A-Za-z0-9+/=_-]{6}"/);
    expect(cachedMessageIds(source("Go"), file, cacheDir)).toBe(made);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it("follows an edit, replacing the file's entry", () => {
    const edited = cachedMessageIds(source("Start"), file, cacheDir);
    expect(edited).toBe(addMessageIds(source("Start"), file));
    expect(edited).not.toBe(addMessageIds(source("Go"), file));
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it("keeps files apart, and makes an unreadable entry again", () => {
    const other = "/app/canva-app/src/screens/other.tsx";
    expect(cachedMessageIds(source("Go"), other, cacheDir)).toBe(addMessageIds(source("Go"), other));
    expect(readdirSync(cacheDir)).toHaveLength(2);
    for (const entry of readdirSync(cacheDir)) writeFileSync(path.join(cacheDir, entry), "{not json");
    expect(cachedMessageIds(source("Go"), other, cacheDir)).toBe(addMessageIds(source("Go"), other));
  });

  it("still gives the output when the cache can't be written", () => {
    const unwritable = path.join(cacheDir, "entry-0.json", "below-a-file");
    writeFileSync(path.join(cacheDir, "entry-0.json"), "");
    expect(cachedMessageIds(source("Go"), file, unwritable)).toBe(addMessageIds(source("Go"), file));
  });

  it("leaves a file without messages to esbuild", () => {
    expect(hasMessages(source("Go"))).toBe(true);
    expect(hasMessages("export const x: number = 1;")).toBe(false);
  });
});
