// Builds the panel into ONE file, dist/app.js, as Canva requires (CSS injected, assets inlined,
// dynamic imports folded in), and the local preview page's bundle. `npm run build` prints the
// gzip size of app.js; scripts/dev-server.mjs reuses these options in watch mode.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { APP_SOURCE, cachedMessageIds, hasMessages } from "./message-ids.mjs";

export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
export const DIST_DIR = path.join(APP_DIR, "dist");
const SIZE_GOAL_BYTES = 500 * 1024;

/** Imported `.css` becomes a module that injects a <style> tag: Canva takes no CSS files. */
const injectCss = {
  name: "inject-css",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const css = await readFile(args.path, "utf8");
      const { code } = await esbuild.transform(css, { loader: "css", minify: true });
      return {
        loader: "js",
        contents: `const style = document.createElement("style");
style.textContent = ${JSON.stringify(code)};
document.head.appendChild(style);`,
      };
    });
  },
};

/** Each app file's last transform, by path: a rebuild in watch mode transforms only what changed. */
const transformed = new Map();

/** Runs the formatjs transformer over the app's own TypeScript that declares messages before
 * esbuild compiles it; esbuild compiles the rest as it is. */
const messageIds = {
  name: "message-ids",
  setup(build) {
    build.onLoad({ filter: APP_SOURCE }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!hasMessages(source)) return undefined;
      let last = transformed.get(args.path);
      if (last?.source !== source) {
        last = { source, contents: cachedMessageIds(source, args.path) };
        transformed.set(args.path, last);
      }
      return { loader: "jsx", contents: last.contents, resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * zod's namespace re-exports every locale (~250 KB minified) although only English is used, and
 * esbuild cannot drop members of a re-exported namespace. The panel shows its own translated
 * messages, never zod's, so the locale barrel is narrowed to the default `en`.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: path.join(path.dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

/**
 * App UI Kit's FileInput always renders in "button" mode, but its module also imports the
 * drop-area illustrations (ten base64 PNGs, ~100 KB gzip) that only the drop-area mode shows.
 * They are swapped for a 1-pixel image so the bundle stays within Canva's size budget.
 */
const UNUSED_ILLUSTRATION = /[\\/]upload_illustration[\\/][a-z_0-9]+\.png\.js$/;
const dropUnusedIllustrations = {
  name: "drop-unused-illustrations",
  setup(build) {
    build.onLoad({ filter: UNUSED_ILLUSTRATION }, () => ({
      contents: `export default "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==";`,
      loader: "js",
    }));
  },
};

/**
 * esbuild options for `entries` (output name → source), each bundled into `outdir`/<name>.js.
 * `backendUrl` is baked in at build time (Canva serves a static file, so there is no runtime
 * configuration to read).
 */
export function buildOptions({ entries, outdir = DIST_DIR, dev = false, backendUrl, reportUrl }) {
  const backend = (backendUrl ?? process.env.BACKEND_URL ?? "http://localhost:3001").replace(/\/+$/, "");
  return {
    absWorkingDir: APP_DIR,
    entryPoints: entries,
    outdir,
    bundle: true,
    splitting: false,
    format: "iife",
    platform: "browser",
    target: ["chrome89", "safari15"],
    minify: !dev,
    sourcemap: dev ? "inline" : false,
    jsx: "automatic",
    legalComments: "none",
    loader: { ".png": "dataurl", ".jpg": "dataurl", ".svg": "dataurl", ".woff2": "dataurl" },
    define: {
      "process.env.NODE_ENV": JSON.stringify(dev ? "development" : "production"),
      BACKEND_URL: JSON.stringify(backend),
      REPORT_URL: JSON.stringify(reportUrl ?? process.env.REPORT_URL ?? `${backend}/report`),
    },
    plugins: [injectCss, messageIds, zodEnglishOnly, dropUnusedIllustrations],
    logLevel: "warning",
  };
}

/** The panel, served to Canva as app.js; the local preview page (`npm start`), preview.js. */
export const APP_ENTRY = { app: "src/index.tsx" };
export const PREVIEW_ENTRY = { preview: "preview/preview.tsx" };

async function printSize(file) {
  const bytes = await readFile(file);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const verdict = gzip <= SIZE_GOAL_BYTES ? "within" : "OVER";
  console.log(
    `${path.relative(APP_DIR, file)}: ${kb((await stat(file)).size)} minified, ${kb(gzip)} gzip (${verdict} the ${kb(SIZE_GOAL_BYTES)} goal)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await esbuild.build(buildOptions({ entries: APP_ENTRY }));
  await printSize(path.join(DIST_DIR, "app.js"));
  if (process.argv.includes("--preview"))
    await esbuild.build(buildOptions({ entries: PREVIEW_ENTRY, dev: true }));
}
