// The engine's worker-thread entry points (the pool's workers, the HEIF decoder thread) and how to
// start them: from source (tsx, vitest) a TypeScript file run through tsx's loader; compiled
// (`npm run build`, `npm run serve`) a bundle of server/dist/ run by plain node, no loader.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DIST_DIR, FROM_SOURCE, SERVER_DIR } from "../locations";

/** Each thread's source, by the name of its bundle in server/dist/ (the build reads this too). */
export const THREAD_ENTRIES = {
  "engine-worker": "src/engine/worker.ts",
  "heif-decoder": "src/engine/heif/decoder-thread.ts",
} as const;

export type ThreadName = keyof typeof THREAD_ENTRIES;

/** Piscina's `filename` and `execArgv` for a thread, from source or compiled. */
export function threadScript(name: ThreadName): { filename: string; execArgv: string[] } {
  if (!FROM_SOURCE) return { filename: pathToFileURL(path.join(DIST_DIR, `${name}.js`)).href, execArgv: [] };
  // Resolved by path so any caller (tsx, vitest) gives its threads the same loader.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return {
    filename: pathToFileURL(path.join(SERVER_DIR, THREAD_ENTRIES[name])).href,
    execArgv: ["--import", tsx],
  };
}
