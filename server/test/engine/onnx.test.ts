import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MODELS_DIR } from "../../src/engine/models";
import { loadModel } from "../../src/engine/onnx/model";
import { convertGraphModel, permute } from "../../src/engine/onnx/convert";
import { initialiseBackend, loadGraphModel, tf } from "./tfjs-reference";

beforeAll(initialiseBackend);

/** Each model the engine runs, with the outputs it reads. */
const MODELS = [
  { file: "blazeface/blazeface.json", outputs: ["Identity", "Identity_2", "Identity_1", "Identity_3"] },
  { file: "facemesh/facemesh.json", outputs: ["Identity_1", "Identity_2"] },
  { file: "selfie/selfie.json", outputs: ["activation_10"] },
  {
    file: "facemesh-attention/facemesh-attention-pinto.json",
    outputs: ["output_left_iris", "output_left_eye", "output_right_iris", "output_right_eye"],
  },
];

/** A smooth, non-trivial image in 0..1: stripes and rings, so every layer sees structure. */
function testImage(shape: readonly number[]): Float32Array {
  const [, h, w, c] = shape as [number, number, number, number];
  const data = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        const r = Math.hypot(x - w / 2, y - h / 2) / w;
        data[(y * w + x) * c + k] =
          0.5 + 0.25 * Math.sin(17 * r + k) + 0.2 * Math.cos((x * (k + 1)) / 9 + y / 13);
      }
    }
  }
  return data;
}

describe("tfjs graph models converted to ONNX", () => {
  it.each(MODELS)("$file gives tfjs' outputs", async ({ file, outputs }) => {
    const jsonPath = path.join(MODELS_DIR, file);
    const converted = await loadModel(jsonPath, outputs);
    const reference = await loadGraphModel(jsonPath);
    const input = testImage(converted.inputShape);
    const got = await converted.run(input);
    const want = tf.tidy(() => {
      const out = reference.execute(tf.tensor(input, [...converted.inputShape]), outputs);
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    });
    reference.dispose();
    want.forEach((expected, i) => {
      const actual = got[i]!;
      expect(actual.length).toBe(expected.length);
      const scale = Math.max(1, ...expected.map(Math.abs));
      let worst = 0;
      for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(actual[k]! - expected[k]!));
      expect(worst / scale, `${outputs[i]}: worst difference ${worst}`).toBeLessThan(1e-5);
    });
  });

  it("refuses an op it does not know instead of guessing", () => {
    const nodes = [
      { name: "x", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "1" }, { size: "4" }] } } } },
      { name: "y", op: "Softplus", input: ["x"] },
    ];
    expect(() => convertGraphModel(nodes, {}, ["y"])).toThrow(/Softplus/);
  });

  it("permutes axes like a transpose", () => {
    // 2 × 3 → 3 × 2
    expect(Array.from(permute([1, 2, 3, 4, 5, 6], [2, 3], [1, 0]))).toEqual([1, 4, 2, 5, 3, 6]);
    // HWIO (1 × 1 × 2 × 3) → OIHW
    expect(Array.from(permute([1, 2, 3, 4, 5, 6], [1, 1, 2, 3], [3, 2, 0, 1]))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
