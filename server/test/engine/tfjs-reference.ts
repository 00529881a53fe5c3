// The reference the converted models are checked against: tfjs (the runtime these graph models
// were made for) on its WebAssembly backend, reading models from disk. Tests only.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfConverter from "@tensorflow/tfjs-converter";

// Loaded through require so the backend package (CommonJS, requiring tfjs-core) and this module
// share one tfjs instance whatever loader imports us (Node, tsx or vitest).
const require = createRequire(import.meta.url);
export const tf = require("@tensorflow/tfjs-core") as typeof TfCore;
export const tfc = require("@tensorflow/tfjs-converter") as typeof TfConverter;
const wasm = require("@tensorflow/tfjs-backend-wasm") as { setWasmPaths(prefix: string): void };

/** Selects the WebAssembly backend, its .wasm files read from the package (never a CDN). */
export async function initialiseBackend(): Promise<void> {
  if (tf.getBackend() === "wasm") return;
  wasm.setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + path.sep);
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend failed to start");
}

/** Loads a tfjs graph model (model.json + weight shards) from disk. */
export function loadGraphModel(jsonPath: string): Promise<TfConverter.GraphModel> {
  return tfc.loadGraphModel({
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
  });
}
