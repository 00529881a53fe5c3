// `npm run build -w server`: the compiled production server in server/dist/, run by plain node
// (`npm run serve`). esbuild bundles each entry — the process, the support CLI and the engine's
// worker threads — with the shared workspace and most npm packages compiled in, into a file per
// entry and the chunks they share or import dynamically; then each engine model is converted from
// its tfjs files to ONNX once, here, instead of in every worker at every start.
//
// `--outdir dist-test` builds elsewhere (tests): any folder directly under server/, since the
// compiled server finds server/ as its bundles' parent (src/locations.ts).
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";
import { DIST_DIR, SERVER_DIR } from "../src/locations";
import { MODELS } from "../src/engine/models";
import { convertedModelPath, convertModel } from "../src/engine/onnx/model";
import { THREAD_ENTRIES } from "../src/engine/threads";

const started = performance.now();
const { values } = parseArgs({ options: { outdir: { type: "string" } } });
const outdir = values.outdir ? path.resolve(SERVER_DIR, values.outdir) : DIST_DIR;
if (path.dirname(outdir) !== path.resolve(SERVER_DIR))
  throw new Error(`--outdir must be directly under ${SERVER_DIR}`);
const ENTRIES: Record<string, string> = {
  main: "src/main.ts",
  support: "src/cli/support.ts",
  ...THREAD_ENTRIES,
};

/** Packages left to node_modules at run time: native addons, packages that find their own wasm,
 * data or worker files next to their code, and those loaded only when configured (Stripe, S3).
 * Every other package is compiled in: a few files to read instead of hundreds, and no CommonJS
 * export scan per package, which is most of a plain-node start-up's module loading. */
const EXTERNAL = [
  "@aws-sdk/*",
  "@electric-sql/pglite",
  "@node-rs/argon2",
  "heic-decode",
  "onnxruntime-node",
  "piscina",
  "sharp",
  "stripe",
];

await rm(outdir, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: SERVER_DIR,
  entryPoints: Object.entries(ENTRIES).map(([out, file]) => ({ in: file, out })),
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  // A module the source imports dynamically stays a chunk of its own that loads when imported, with
  // the packages it imports: one bundle would load them all before its first line runs (ES
  // imports are hoisted), the S3 client and a database driver not in use among them. Chunks are
  // written beside the entries, in outdir itself: src/locations.ts finds server/ as the parent of
  // the file it is compiled into, whichever that is.
  splitting: true,
  target: "node20",
  tsconfig: path.join(SERVER_DIR, "tsconfig.json"),
  sourcemap: "linked",
  external: EXTERNAL,
  // CommonJS packages compiled into an ES module still call require() for node's own modules.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
});

const models = Object.values(MODELS);
await Promise.all(
  models.map(async (spec) => {
    const file = convertedModelPath(spec, path.join(outdir, "models"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await convertModel(spec));
  }),
);

console.log(
  `server: ${Object.keys(ENTRIES).length} bundles and ${models.length} ONNX models in ${path.relative(process.cwd(), outdir) || "."} (${Math.round(performance.now() - started)} ms)`,
);
