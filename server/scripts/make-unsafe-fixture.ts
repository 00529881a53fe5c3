// Makes test/fixtures/unsafe_synthetic.png: an image the safety classifier (server/models/nsfw)
// scores as "Porn", so the refusal can be tested without committing an explicit photo. It shows
// nothing: it is mid-grey noise changed by gradient ascent on the model's log-probability of Porn
// until the model is all but certain — a "fooling image" for this one model.
//
//   npx tsx scripts/make-unsafe-fixture.ts
//
// Optimised at the model's 224 × 224, saved enlarged 2× by nearest neighbour (448 px: the API
// refuses photos under 400 px on the short side), then scored through the engine's own path
// (openSource → detectionCopy → the classifier's align-corners resize, which maps the enlarged
// pixels back onto the optimised ones). tfjs (dev dependency) on its WebAssembly backend, which
// has no gradient kernels for fused or depthwise convolutions: the graph is re-run here with plain
// ops (a depthwise convolution as a sum of shifted slices), checked against tfjs' own run first.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type * as TfCore from "@tensorflow/tfjs-core";
import { initialiseBackend, loadGraphModel, tf } from "../test/engine/tfjs-reference";
import { MODELS, MODELS_DIR } from "../src/engine/models";
import type { TfNode } from "../src/engine/onnx/convert";
import { detectionCopy, openSource } from "../src/engine/source-image";
import { createSafetyClassifier, explicitScore, SAFETY_CLASSES, SAFETY_SIZE } from "../src/engine/safety";

type Tensor = TfCore.Tensor;
const OUT = fileURLToPath(new URL("../test/fixtures/unsafe_synthetic.png", import.meta.url));
const PORN = SAFETY_CLASSES.indexOf("Porn");
/** Stop once the 8-bit image scores this (the refusal threshold is far lower). */
const TARGET = 0.999;
const MAX_STEPS = 400;
const STEP = 0.05; // in logit units per pixel, along the gradient normalised to unit RMS
const SEED = 7;

createRequire(import.meta.url)("@tensorflow/tfjs-core/dist/register_all_gradients");
await initialiseBackend();
const model = await loadGraphModel(`${MODELS_DIR}${MODELS.nsfw.file}`);
const nodes = (
  JSON.parse(await readFile(`${MODELS_DIR}${MODELS.nsfw.file}`, "utf8")) as {
    modelTopology: { node: TfNode[] };
  }
).modelTopology.node;

const text = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString();
const ints = (n: TfNode, key: string) => (n.attr?.[key]?.list?.i ?? []).map(Number);

/** TensorFlow's SAME/VALID output size and leading padding along one axis. */
function window(size: number, k: number, s: number, mode: string) {
  const out = mode === "SAME" ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s);
  const total = mode === "SAME" ? Math.max((out - 1) * s + k - size, 0) : 0;
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** Every `s`-th row and column from the first: reshapes and slices, which have gradients. */
function subsample(t: Tensor, s: number, outH: number, outW: number): Tensor {
  const [, h, w, c] = t.shape as [number, number, number, number];
  const padded = tf.pad(t, [
    [0, 0],
    [0, outH * s - h],
    [0, outW * s - w],
    [0, 0],
  ]);
  const blocks = tf.reshape(padded, [1, outH, s, outW, s, c]);
  return tf.reshape(tf.slice(blocks, [0, 0, 0, 0, 0, 0], [1, outH, 1, outW, 1, c]), [1, outH, outW, c]);
}

/** A depthwise convolution (channel multiplier 1) as a sum of shifted, weighted slices. */
function depthwise(x: Tensor, filter: Tensor, s: number, mode: string): Tensor {
  const [, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, , m] = filter.shape as [number, number, number, number];
  if (m !== 1) throw new Error("channel multiplier ≠ 1");
  const rows = window(h, kh, s, mode);
  const cols = window(w, kw, s, mode);
  const xp = tf.pad(x, [
    [0, 0],
    [rows.before, rows.after],
    [cols.before, cols.after],
    [0, 0],
  ]);
  let sum: Tensor | undefined;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      let tap = tf.slice(xp, [0, a, b, 0], [1, (rows.out - 1) * s + 1, (cols.out - 1) * s + 1, c]);
      if (s > 1) tap = subsample(tap, s, rows.out, cols.out);
      const term = tf.mul(tap, tf.reshape(tf.slice(filter, [a, b, 0, 0], [1, 1, c, 1]), [c]));
      sum = sum ? tf.add(sum, term) : term;
    }
  }
  return sum!;
}

/** The classifier's graph run with ops tfjs can differentiate on wasm: pixels 0..1 → probabilities. */
function probabilities(input: Tensor): Tensor {
  const values = new Map<string, Tensor>();
  const get = (ref: string) => {
    const name = ref.replace(/:0$/, "");
    const t = values.get(name) ?? model.weights[name]?.[0];
    if (!t) throw new Error(`no value for ${name}`);
    return t;
  };
  const activate = (n: TfNode, t: Tensor) => {
    const fused = (n.attr?.fused_ops?.list?.s ?? []).map(text);
    if (fused[0] !== "BiasAdd") throw new Error(`${n.name}: fused ${fused.join("+")}`);
    const biased = tf.add(t, get(n.input![2]!));
    if (fused[1] === undefined) return biased;
    if (fused[1] === "Relu6") return tf.clipByValue(biased, 0, 6);
    throw new Error(`${n.name}: fused ${fused.join("+")}`);
  };
  let last: Tensor | undefined;
  for (const n of nodes) {
    const [x, y] = (n.input ?? []) as [string, string];
    const stride = ints(n, "strides")[1] ?? 1;
    const mode = text(n.attr?.padding?.s);
    let out: Tensor;
    switch (n.op) {
      case "Const":
        continue;
      case "Placeholder":
        out = input;
        break;
      case "Identity":
        out = get(x);
        break;
      case "Mul":
        out = tf.mul(get(x), get(y));
        break;
      case "Sub":
        out = tf.sub(get(x), get(y));
        break;
      case "AddV2":
        out = tf.add(get(x), get(y));
        break;
      case "_FusedConv2D":
        out = activate(
          n,
          tf.conv2d(
            get(x) as TfCore.Tensor4D,
            get(y) as TfCore.Tensor4D,
            stride,
            mode.toLowerCase() as "same",
          ),
        );
        break;
      case "FusedDepthwiseConv2dNative":
        out = activate(n, depthwise(get(x), get(y), stride, mode));
        break;
      case "AvgPool": {
        const k = ints(n, "ksize");
        out = tf.avgPool(get(x) as TfCore.Tensor4D, [k[1]!, k[2]!], stride, mode.toLowerCase() as "valid");
        break;
      }
      case "Squeeze":
        out = tf.squeeze(get(x), ints(n, "squeeze_dims"));
        break;
      case "_FusedMatMul":
        out = activate(
          n,
          tf.matMul(
            get(x) as TfCore.Tensor2D,
            get(y) as TfCore.Tensor2D,
            n.attr?.transpose_a?.b,
            n.attr?.transpose_b?.b,
          ),
        );
        break;
      case "Softmax":
        out = tf.softmax(get(x));
        break;
      default:
        throw new Error(`op ${n.op} not handled here`);
    }
    values.set(n.name, out);
    last = out;
  }
  return last!;
}

// The plain-op run must be the model: compare with tfjs' own on a random image.
const probe = tf.randomUniform([1, SAFETY_SIZE, SAFETY_SIZE, 3], 0, 1, "float32", SEED);
const mine = probabilities(probe).dataSync();
const theirs = (model.execute(probe, "Identity") as Tensor).dataSync();
const apart = Math.max(...Array.from(mine, (v, i) => Math.abs(v - theirs[i]!)));
if (apart > 1e-4) throw new Error(`plain-op run differs from tfjs' by ${apart}`);

/** The image as the 8-bit pixels it will be saved as, scored by the plain-op run. */
const pixelsOf = (z: Tensor) => tf.tidy(() => tf.round(tf.mul(tf.sigmoid(z), 255)));
const pornOf = (pixels: Tensor) => tf.tidy(() => probabilities(tf.div(pixels, 255)).dataSync()[PORN]!);

// Start: mid-grey with faint noise, as logits of the pixel values.
let z: Tensor = tf.mul(tf.randomNormal([1, SAFETY_SIZE, SAFETY_SIZE, 3], 0, 1, "float32", SEED), 0.1);
const gradient = tf.grad((logits: Tensor) => {
  const p = probabilities(tf.sigmoid(logits));
  return tf.log(tf.add(tf.slice(p, [0, PORN], [1, 1]), 1e-12));
});
let step = 0;
let porn = pornOf(pixelsOf(z));
console.log(`start: Porn ${porn.toFixed(5)}`);
for (; step < MAX_STEPS && porn < TARGET; step++) {
  const next = tf.tidy(() => {
    const g = gradient(z);
    const rms = tf.sqrt(tf.add(tf.mean(tf.square(g)), 1e-20));
    return tf.add(z, tf.mul(tf.div(g, rms), STEP));
  });
  z.dispose();
  z = next;
  if (step % 5 === 4) {
    porn = pornOf(pixelsOf(z));
    console.log(`step ${step + 1}: Porn ${porn.toFixed(5)}`);
  }
}
if (porn < TARGET) throw new Error(`Porn ${porn} after ${step} steps`);

const pixels = Uint8Array.from(pixelsOf(z).dataSync());
await sharp(pixels, { raw: { width: SAFETY_SIZE, height: SAFETY_SIZE, channels: 3 } })
  .resize(2 * SAFETY_SIZE, 2 * SAFETY_SIZE, { kernel: "nearest" })
  .png({ compressionLevel: 9 })
  .toFile(OUT);

// Through the engine's own path, on ONNX Runtime.
const classifier = await createSafetyClassifier();
const scores = await classifier.classify(await detectionCopy(await openSource(await readFile(OUT))));
console.log(`${OUT}: ${step} steps; engine path: explicit ${explicitScore(scores).toFixed(5)}`, scores);
if (explicitScore(scores) < TARGET) throw new Error("the saved image does not score as explicit");
