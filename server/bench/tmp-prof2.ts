import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { STYLE_IDS, styleById } from "@headshot/shared";
import { createFaceDetector, pickSubject } from "../src/engine/face-detector";
import { createSegmenter, SEGMENT_SIZE } from "../src/engine/segmenter";
import { frameHeadshot } from "../src/engine/framing";
import { openSource, detectionCopy, renderCanvas } from "../src/engine/source-image";
import { computeMatte } from "../src/engine/matte";
import { buildLayers, renderStyle } from "../src/engine/render";
const photo = await sharp(await readFile("/work/main/server/test/fixtures/one_face_sample1_crop.jpg")).resize(3000, 4000, { fit: "fill", kernel: "lanczos3" }).jpeg({ quality: 90 }).toBuffer();
const det = await createFaceDetector(); const seg = await createSegmenter();
const T: Record<string, number[]> = {};
async function t<R>(k: string, f: () => Promise<R> | R): Promise<R> { const s = performance.now(); const r = await f(); (T[k] ??= []).push(performance.now() - s); return r; }
for (let i = 0; i < 6; i++) {
  const src = await t("open", () => openSource(photo));
  const small = await t("detcopy", () => detectionCopy(src));
  const faces = await t("detect", () => det.detect(small));
  const f = pickSubject(faces); const k = small.factor;
  const face = { ...f, leftEye: { x: f.leftEye.x * k, y: f.leftEye.y * k }, rightEye: { x: f.rightEye.x * k, y: f.rightEye.y * k }, chin: { x: f.chin.x * k, y: f.chin.y * k }, box: { x: f.box.x * k, y: f.box.y * k, width: f.box.width * k, height: f.box.height * k } };
  const fr = frameHeadshot(face as any, ["1:1"]);
  const canvas = await t("canvas", () => renderCanvas(src, fr));
  const sm = await t("seg256", () => sharp(canvas.rgb, { raw: { width: canvas.width, height: canvas.height, channels: 3 } }).resize(256, 256, { fit: "fill" }).raw().toBuffer());
  await t("segmodel", () => seg.segment(new Uint8Array(sm)));
  const m = await t("matte", () => computeMatte(canvas, seg));
  const L = await t("layers", () => buildLayers(m.foreground, [1, 1, 1], m.alpha, new Float32Array(m.alpha.length), canvas.width, canvas.height, { cx: 512, cy: 400, radius: 900 }));
  const rgb = await t("style", () => renderStyle(styleById(STYLE_IDS[0]!), L));
  await t("enc", () => sharp(rgb, { raw: { width: 1024, height: 1024, channels: 3 } }).jpeg({ quality: 88 }).toBuffer());
  await t("thumb", () => sharp(rgb, { raw: { width: 1024, height: 1024, channels: 3 } }).resize(256, 256).jpeg({ quality: 80 }).toBuffer());
  await t("decodefull", () => sharp(photo).raw().toBuffer());
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(Object.entries(T).map(([k, v]) => `${k} ${Math.round(med(v))}`).join(", "), "scale", );
