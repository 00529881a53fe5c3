// Where the server's files are, whether it runs from source (tsx, vitest: this module is
// server/src/locations.ts) or compiled (`npm run build`: every module is bundled into a file of
// server/dist/). Both sit one level below server/, so one relative URL finds server/ from either;
// assets (models, migrations, wasm) stay where they are committed and are read from there.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** True under tsx or vitest; false in the compiled server (`npm run serve`). */
export const FROM_SOURCE = import.meta.url.endsWith(".ts");

/** The server workspace (server/), with a trailing separator. */
export const SERVER_DIR = fileURLToPath(new URL("../", import.meta.url));

/** The compiled server — bundles, worker-thread entries, converted models: server/dist/ (the
 * build's default), or compiled, wherever this bundle is (a test builds into its own folder). */
export const DIST_DIR = FROM_SOURCE
  ? path.join(SERVER_DIR, "dist")
  : fileURLToPath(new URL(".", import.meta.url));

/** Files under the repository root (migrations, the default data directory). */
export const fromRepo = (...parts: string[]) => path.join(SERVER_DIR, "..", ...parts);
