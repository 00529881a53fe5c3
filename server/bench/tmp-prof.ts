import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { STYLE_IDS, styleById } from "@headshot/shared";
import { createStudioPipeline } from "/work/main/server/src/engine/pipeline";
const photo = await sharp(await readFile("/work/main/server/test/fixtures/one_face_sample1_crop.jpg")).resize(3000, 4000, { fit: "fill", kernel: "lanczos3" }).jpeg({ quality: 90 }).toBuffer();
const p = await createStudioPipeline();
const req = { photo, styles: [...STYLE_IDS], aspects: [process.env.ASPECT ?? "1:1"] as any };
await p.run(req);
const all: Record<string, number[]> = {};
for (let i = 0; i < Number(process.env.N ?? 6); i++) {
  const t = performance.now(); const c = process.cpuUsage();
  const r = await p.run(req);
  const cu = process.cpuUsage(c);
  (all.total ??= []).push(performance.now() - t);
  (all.cpu ??= []).push((cu.user + cu.system) / 1000);
  for (const [k, v] of Object.entries(r.metadata.stageMs)) (all[k] ??= []).push(v as number);
  for (const [k, v] of Object.entries((globalThis as any).__prof ?? {})) (all[k] ??= []).push(v as number);
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(Object.entries(all).map(([k, v]) => `${k} ${Math.round(med(v))}`).join(", "));
