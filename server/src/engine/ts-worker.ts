// Worker threads run TypeScript through tsx's loader, resolved by path so any caller (tsx, vitest,
// plain node) gets the same one: the engine's pool threads and the HEIF decoder threads.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** `execArgv` for a worker thread whose file is TypeScript. */
export const TS_WORKER_EXEC_ARGV = ["--import", TSX_LOADER];
