// One tfjs instance per thread on the WebAssembly backend, with a file:// model loader, shared by
// the face detector (through Human) and the person segmenter. Nothing here touches the network.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfConverter from "@tensorflow/tfjs-converter";

// Loaded through require so Human (a CommonJS bundle that requires these packages) and this
// module share one tfjs instance whatever loader imports us (Node, tsx or vitest).
const require = createRequire(import.meta.url);
export const tf = require("@tensorflow/tfjs-core") as typeof TfCore;
export const tfc = require("@tensorflow/tfjs-converter") as typeof TfConverter;

/** Directory holding tfjs-backend-wasm's .wasm files, with a trailing slash as tfjs expects. */
export const WASM_DIR = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + path.sep;

/** Directory holding our committed models (server/models). */
export const MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));

/** Reads a tfjs graph model (model.json + weight shards) from a file:// URL. */
function fileHandler(url: string): TfCore.io.IOHandler {
  const jsonPath = fileURLToPath(url);
  return {
    async load() {
      const manifest = JSON.parse(await readFile(jsonPath, "utf8")) as TfCore.io.ModelJSON;
      const specs: TfCore.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of manifest.weightsManifest) {
        for (const p of group.paths) buffers.push(await readFile(path.join(path.dirname(jsonPath), p)));
        specs.push(...group.weights);
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: manifest.modelTopology,
        format: manifest.format,
        generatedBy: manifest.generatedBy,
        convertedBy: manifest.convertedBy,
        signature: manifest.signature,
        userDefinedMetadata: manifest.userDefinedMetadata,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      } as TfCore.io.ModelArtifacts;
    },
  };
}

let registered = false;

/** Teaches tfjs to load file:// URLs; idempotent. */
export function registerFileLoader(): void {
  if (registered) return;
  registered = true;
  // tfjs' router type says it returns an IOHandler; returning null is how a router declines.
  tf.io.registerLoadRouter(((url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    return typeof u === "string" && u.startsWith("file://") ? fileHandler(u) : null;
  }) as Parameters<typeof tf.io.registerLoadRouter>[0]);
}

export function fileUrl(p: string): string {
  return pathToFileURL(p).href;
}
