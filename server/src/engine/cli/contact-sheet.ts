// `npm run engine:sheet -- <photos…>`: runs the studio pipeline on each photo and writes
// `<photo>.sheet.png` (or into --out <dir>) with every style in both aspects, for a human to judge.

import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import sharp, { type OverlayOptions } from "sharp";
import { ASPECT_IDS, STYLE_IDS } from "@headshot/shared";
import { createStudioPipeline } from "../pipeline";
import { isEngineError } from "../types";

const CELL = 320;
const GAP = 8;

async function main(argv: string[]): Promise<void> {
  const outIndex = argv.indexOf("--out");
  const outDir = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const photos = outIndex >= 0 ? argv.filter((_, i) => i !== outIndex && i !== outIndex + 1) : argv;
  if (photos.length === 0) {
    console.error("usage: npm run engine:sheet -- [--out dir] <photo> [photo…]");
    process.exitCode = 2;
    return;
  }
  if (outDir) await mkdir(outDir, { recursive: true });
  const pipeline = await createStudioPipeline();
  for (const photo of photos) {
    const target = path.join(outDir ?? path.dirname(photo), `${path.basename(photo)}.sheet.png`);
    try {
      const result = await pipeline.run({
        photo: await readFile(photo),
        styles: [...STYLE_IDS],
        aspects: [...ASPECT_IDS],
      });
      const tiles: OverlayOptions[] = [];
      const rowHeights = ASPECT_IDS.map((a) => Math.round(CELL * (a === "1:1" ? 1 : 1.25)));
      for (const img of result.images) {
        const col = STYLE_IDS.indexOf(img.style);
        const row = ASPECT_IDS.indexOf(img.aspect);
        const top = GAP + rowHeights.slice(0, row).reduce((s, h) => s + h + GAP, 0);
        const input = await sharp(img.data).resize(CELL).toBuffer();
        tiles.push({ input, left: GAP + col * (CELL + GAP), top });
      }
      const width = GAP + STYLE_IDS.length * (CELL + GAP);
      const height = GAP + rowHeights.reduce((s, h) => s + h + GAP, 0);
      await sharp({ create: { width, height, channels: 3, background: "#ffffff" } })
        .composite(tiles)
        .png()
        .toFile(target);
      console.log(`${photo}: ${target} ${JSON.stringify(result.metadata)}`);
    } catch (err) {
      if (!isEngineError(err)) throw err;
      console.log(`${photo}: ${err.code} (${err.message}) ${err.detail ?? ""}`);
    }
  }
}

await main(process.argv.slice(2));
