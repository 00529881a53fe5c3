import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { createFaceDetector } from "../src/engine/face-detector";
import { tf } from "../src/engine/tfjs-runtime";
import { openSource, detectionCopy } from "../src/engine/source-image";
const photo = await sharp(await readFile("/work/main/server/test/fixtures/one_face_sample1_crop.jpg")).resize(3000, 4000, { fit: "fill", kernel: "lanczos3" }).jpeg({ quality: 90 }).toBuffer();
const det = await createFaceDetector();
console.log(tf.getBackend(), tf.env().getBool("WASM_HAS_SIMD_SUPPORT"), tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"));
const src = await openSource(photo);
const small = await detectionCopy(src);
console.log(small.width, small.height);
const ts: number[] = [];
for (let i = 0; i < 8; i++) { const s = performance.now(); await det.detect(small); ts.push(performance.now() - s); }
console.log(ts.map(Math.round).join(" "));
const prof = await tf.profile(() => det.detect(small) as any);
const byName: Record<string, number> = {};
for (const k of prof.kernels) byName[k.name] = (byName[k.name] ?? 0) + (k.kernelTimeMs as number);
console.log(Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", "));
