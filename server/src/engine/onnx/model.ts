// A tfjs graph model (model.json + weight shards, as shipped) run by ONNX Runtime's native CPU
// kernels. The tfjs files stay the one source of each model: from source (tsx, vitest) a model
// is converted in memory at load; `npm run build` converts each once into server/dist/models/
// and the compiled server loads that file. On this machine a model runs 4–6× faster than on
// tfjs' WebAssembly backend (root README).

import { readFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { DIST_DIR, FROM_SOURCE } from "../../locations";
import { MODELS_DIR, type ModelSpec } from "../models";
import { convertGraphModel, inputOf, product, type TfNode, type Weight } from "./convert";

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  /** float16: half-precision values; uint8: bytes standing for `byte × scale + min`. */
  quantization?: { dtype: "float16" } | { dtype: "uint8"; scale: number; min: number };
}
interface ModelJson {
  modelTopology: { node: TfNode[] };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

export interface Model {
  /**
   * Runs the model on one image of pixel bytes (NHWC, the input's shape), normalised as given at
   * load; returns the outputs named at load, in that order. One run at a time: the input buffer
   * is the model's own, reused.
   */
  run(pixels: Uint8Array): Promise<Float32Array[]>;
  /** The input's NHWC shape. */
  readonly inputShape: readonly number[];
}

/** IEEE half-precision bit patterns → float, all 65 536 of them. */
const HALF_TO_FLOAT = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < table.length; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    table[h] =
      exponent === 0
        ? sign * 2 ** -14 * (fraction / 1024)
        : exponent === 31
          ? fraction
            ? NaN
            : sign * Infinity
          : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return table;
})();

/** Reads a graph model's nodes and weights (quantised weights widened as tfjs does: float16 to
 * float32, uint8 through its affine map, rounded for int32). */
async function readGraphModel(
  jsonPath: string,
): Promise<{ nodes: TfNode[]; weights: Record<string, Weight> }> {
  const json = JSON.parse(await readFile(jsonPath, "utf8")) as ModelJson;
  const weights: Record<string, Weight> = {};
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(path.join(path.dirname(jsonPath), p))));
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const count = product(spec.shape);
      const q = spec.quantization;
      if (q && q.dtype !== "float16" && q.dtype !== "uint8")
        throw new Error(`${jsonPath}: ${spec.name} uses ${(q as { dtype: string }).dtype} quantisation`);
      if (q?.dtype === "float16" && spec.dtype !== "float32")
        throw new Error(`${jsonPath}: ${spec.name} is ${spec.dtype} quantised as float16`);
      const width = q?.dtype === "uint8" ? 1 : q?.dtype === "float16" ? 2 : 4;
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * width);
      const data = spec.dtype === "int32" ? new Int32Array(count) : new Float32Array(count);
      for (let i = 0; i < count; i++) {
        if (q?.dtype === "uint8") {
          const v = view.getUint8(i) * q.scale + q.min;
          data[i] = spec.dtype === "int32" ? Math.round(v) : v;
        } else if (q?.dtype === "float16") data[i] = HALF_TO_FLOAT[view.getUint16(2 * i, true)]!;
        else data[i] = spec.dtype === "int32" ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true);
      }
      weights[spec.name] = { shape: spec.shape, data };
      offset += count * width;
    }
  }
  return { nodes: json.modelTopology.node, weights };
}

/** Where the build writes a model's conversion: server/dist/models/<its tfjs path>.onnx. */
export const convertedModelPath = (spec: ModelSpec, dir = path.join(DIST_DIR, "models")) =>
  path.join(dir, spec.file.replace(/\.json$/, ".onnx"));

/** A model's ONNX bytes, converted from its tfjs files. */
export async function convertModel(spec: ModelSpec): Promise<Uint8Array> {
  const { nodes, weights } = await readGraphModel(path.join(MODELS_DIR, spec.file));
  return convertGraphModel(nodes, weights, spec.outputs);
}

/**
 * Loads a model and starts an ONNX Runtime session: from `onnxFile` when given, else (compiled)
 * from the build's conversion, else (from source) converting its tfjs files here.
 */
export async function loadModel(
  spec: ModelSpec,
  onnxFile = FROM_SOURCE ? undefined : convertedModelPath(spec),
): Promise<Model> {
  const jsonPath = path.join(MODELS_DIR, spec.file);
  const [nodes, onnx] = await Promise.all([
    readFile(jsonPath, "utf8").then((json) => (JSON.parse(json) as ModelJson).modelTopology.node),
    onnxFile ? readFile(onnxFile) : convertModel(spec),
  ]);
  const threads = spec.threads ?? 1;
  const session = await ort.InferenceSession.create(onnx, {
    // One thread per model unless its spec asks for more: the pool already runs one job per core.
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    // Tensors come from the session's arena one by one, not as one planned block per run: the
    // arenas of the five models then hold 31–36 MB after their first runs instead of ~57, for
    // ~2 ms more a pass of all five (README, Performance). Without an arena they would hold
    // nothing, but every run maps and faults in fresh pages: 1.3–1.8× the time a model takes.
    enableMemPattern: false,
    // A second thread that spins while it waits takes its core from the other job.
    ...(threads > 1 && { extra: { session: { intra_op: { allow_spinning: "0" } } } }),
  });
  const { name: inputName, dims: inputShape } = inputOf(nodes);
  const input = new Float32Array(product(inputShape));
  const tensor = new ort.Tensor("float32", input, inputShape);
  let running = false;
  return {
    inputShape,
    async run(pixels) {
      if (running) throw new Error(`${spec.file}: run while the previous run is in progress`);
      if (pixels.length !== input.length)
        throw new Error(`${spec.file}: ${pixels.length} input values, not ${input.length}`);
      running = true;
      try {
        for (let i = 0; i < input.length; i++) input[i] = pixels[i]! / spec.scale - spec.offset;
        const result = await session.run({ [inputName]: tensor });
        return spec.outputs.map((_, i) => result[`output${i}`]!.data as Float32Array);
      } finally {
        running = false;
      }
    },
  };
}
