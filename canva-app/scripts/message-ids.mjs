// Gives every react-intl message an id at build time, the way Canva's starter kit does
// (@formatjs/ts-transformer, id = hash of defaultMessage + description). Canva's lint forbids
// hand-written ids, and react-intl refuses a message without one, so the build must add them.
// Shared by the esbuild build and the vitest config so tests run the code the bundle runs.
import ts from "typescript";
import { transformWithTs } from "@formatjs/ts-transformer";

const ID_PATTERN = "[sha512:contenthash:base64:6]";

/** TypeScript/TSX source → JavaScript with JSX preserved and message ids inserted. */
export function addMessageIds(source, fileName) {
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

/** Only the app's own modules carry messages; node_modules are left to esbuild as they are. */
export const APP_SOURCE = /[\\/]canva-app[\\/](src|preview)[\\/].*\.tsx?$/;
