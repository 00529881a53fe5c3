// Gives every react-intl message an id at build time, the way Canva's starter kit does
// (@formatjs/ts-transformer, id = hash of defaultMessage + description). Canva's lint forbids
// hand-written ids, and react-intl refuses a message without one, so the build must add them.
// Shared by the esbuild build and the vitest config so tests run the code the bundle runs.
//
// The transform runs TypeScript's compiler, which takes over a second to load and most of a panel
// build to run, so only files that declare messages go through it, and the builds keep each
// file's last result on disk (`cachedMessageIds`): `npm start` loads TypeScript only when a file
// with messages changed since the last build (or on the first build after an install).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ID_PATTERN = "[sha512:contenthash:base64:6]";

/** Only the app's own modules carry messages; node_modules are left to esbuild as they are. */
export const APP_SOURCE = /[\\/]canva-app[\\/](src|preview)[\\/].*\.tsx?$/;

/** Whether the transform has anything to do: every form of message it reads names a defaultMessage. */
export const hasMessages = (source) => source.includes("defaultMessage");

let compiler;
/** TypeScript and the formatjs transformer, loaded by the first file that needs them. */
const loadCompiler = () =>
  (compiler ??= {
    ts: require("typescript"),
    transformWithTs: require("@formatjs/ts-transformer").transformWithTs,
  });

/** TypeScript/TSX source → JavaScript with JSX preserved and message ids inserted. */
export function addMessageIds(source, fileName) {
  const { ts, transformWithTs } = loadCompiler();
  const { outputText } = ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      jsx: ts.JsxEmit.Preserve,
      verbatimModuleSyntax: true,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: true,
    },
    transformers: {
      before: [transformWithTs(ts, { overrideIdFn: ID_PATTERN, ast: true })],
    },
  });
  return outputText;
}

const CACHE_DIR = path.resolve(fileURLToPath(import.meta.url), "../../../node_modules/.cache/message-ids");

/** What else an output depends on: this file (the options above) and the versions of the
 * compiler, the transformer and the ICU parser whose syntax trees it writes into the output. */
const toolchain = () =>
  [
    readFileSync(fileURLToPath(import.meta.url), "utf8"),
    ...["typescript", "@formatjs/ts-transformer", "@formatjs/icu-messageformat-parser"].map(
      (name) => require(`${name}/package.json`).version,
    ),
  ].join("\0");
let toolchainKey;

/**
 * `addMessageIds`, through a cache on disk in `cacheDir`: one entry per source file, holding its
 * last output and the hash of what made it (source, file name, toolchain). An edited file
 * replaces its own entry, so the cache stays one entry per file.
 */
export function cachedMessageIds(source, fileName, cacheDir = CACHE_DIR) {
  toolchainKey ??= toolchain();
  const hash = createHash("sha256").update(`${toolchainKey}\0${fileName}\0${source}`).digest("hex");
  const entry = path.join(cacheDir, `${createHash("sha256").update(fileName).digest("hex")}.json`);
  try {
    const cached = JSON.parse(readFileSync(entry, "utf8"));
    if (cached.hash === hash) return cached.output;
  } catch {
    // No entry yet, or an unreadable one: made again below.
  }
  const output = addMessageIds(source, fileName);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${entry}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify({ hash, output }));
    renameSync(partial, entry);
  } catch {
    // A cache that can't be written (read-only node_modules) only makes the next build slower.
  }
  return output;
}
