import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { openSource } from "../src/engine/source-image";
const photo = await sharp(await readFile("/work/main/server/test/fixtures/one_face_sample1_crop.jpg")).resize(3000, 4000, { fit: "fill", kernel: "lanczos3" }).jpeg({ quality: 90 }).toBuffer();
const src = await openSource(photo);
for (const conc of [1, 2]) { sharp.concurrency(conc);
for (const s of [0.3, 0.45, 0.6]) {
  const sw = Math.round(3000 * s), sh = Math.round(4000 * s);
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await src.open().resize(sw, sh, { fit: "fill", kernel: "lanczos3" }).extract({ left: Math.max(0,(sw - 1100) >> 1), top: 100, width: Math.min(sw,1100), height: 1100 }).raw().toBuffer(); ts.push(performance.now() - t); }
  const t2: number[] = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await src.open().resize(sw, sh, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer(); t2.push(performance.now() - t); }
  console.log(conc, s, ts.map(Math.round).join(" "), "| full", t2.map(Math.round).join(" "));
}}
