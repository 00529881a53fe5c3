// The panel's development server on :8080 (SPEC §3.1): `/app.js` for Canva's "Development URL",
// `/` the local preview page, both rebuilt by esbuild whenever a source file changes.
// `node scripts/dev-server.mjs [--port 8080] [--backend http://localhost:3001] [--out DIR] [--once]`
// (`--out` and `--once` let the browser test build into its own folder, without watching.)
import { createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";
import { APP_DIR, APP_ENTRY, buildOptions, DIST_DIR, PREVIEW_ENTRY } from "./build.mjs";

// The preview's "Use selected image" downloads this photo, as Canva's getTemporaryUrl would.
const SAMPLE_PHOTO = [
  "../server/test/fixtures/one_face_sample1_crop.jpg",
  "../../shared/fixtures/one_face_sample1_crop.jpg",
]
  .map((p) => path.join(APP_DIR, p))
  .find((p) => existsSync(p));

export async function startDevServer({
  port = 8080,
  backendUrl,
  outDir,
  watch = true,
  log = console.log,
} = {}) {
  const outdir = outDir ?? DIST_DIR;
  const routes = {
    "/": { file: path.join(APP_DIR, "preview/index.html"), type: "text/html; charset=utf-8" },
    "/app.js": { file: path.join(outdir, "app.js"), type: "text/javascript; charset=utf-8" },
    "/preview.js": { file: path.join(outdir, "preview.js"), type: "text/javascript; charset=utf-8" },
    "/sample.jpg": { file: SAMPLE_PHOTO, type: "image/jpeg" },
  };
  // One build of both bundles: the sources they share (React, App UI Kit, the panel) are read
  // and compiled once.
  const options = buildOptions({
    entries: { ...APP_ENTRY, ...PREVIEW_ENTRY },
    outdir,
    dev: true,
    backendUrl,
  });
  let firstBuilt;
  const firstBuild = new Promise((resolve) => (firstBuilt = resolve));
  options.plugins.push({ name: "first-build", setup: (build) => build.onEnd(firstBuilt) });
  const context = await esbuild.context(options);
  // The first build finishes before the server answers, so the first request never 404s. Watching
  // starts with a build of its own: that one is the first (a build before it would be done twice).
  if (watch) {
    await context.watch();
    const { errors } = await firstBuild;
    if (errors.length > 0) throw new Error(`The panel did not build: ${errors[0].text}`);
  } else {
    await context.rebuild();
  }

  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (!route?.file || !existsSync(route.file)) {
      res.writeHead(404).end("Not found");
      return;
    }
    // Canva's editor loads /app.js from another origin.
    res.writeHead(200, {
      "Content-Type": route.type,
      "Cache-Control": "no-store",
      "Access-Control-Allow-Origin": "*",
    });
    createReadStream(route.file).pipe(res);
  });
  await new Promise((resolve) => server.listen(port, resolve));
  const url = `http://localhost:${server.address().port}`;
  log(`panel: ${url}/ (local preview), ${url}/app.js (Canva Development URL)`);

  return {
    url,
    async close() {
      await context.dispose();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      backend: { type: "string" },
      out: { type: "string" },
      once: { type: "boolean" },
    },
  });
  const dev = await startDevServer({
    port: Number(values.port ?? 8080),
    backendUrl: values.backend,
    outDir: values.out,
    watch: !values.once,
  });
  const stop = async () => {
    await dev.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
