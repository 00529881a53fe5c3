// `npm run engine:sheet -- <photos…>`: runs the studio pipeline on each photo and writes
// `<photo>.sheet.png` (or into --out <dir>) with every style in both aspects, for a human to judge.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ASPECT_IDS, STYLE_IDS } from "@headshot/shared";
import { createStudioPipeline } from "../pipeline";
import { isEngineError } from "../types";
import { contactSheet } from "./sheet";

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
      await writeFile(target, await contactSheet(result.images));
      console.log(`${photo}: ${target} ${JSON.stringify(result.metadata)}`);
    } catch (err) {
      if (!isEngineError(err)) throw err;
      console.log(`${photo}: ${err.code} (${err.message}) ${err.detail ?? ""}`);
    }
  }
}

await main(process.argv.slice(2));
