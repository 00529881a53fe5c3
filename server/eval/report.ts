// `npm run engine:report [-- --out dir] [id…]`: the studio engine on every photo of the evaluation
// set (photos.ts), as a customer would get it. Writes a contact sheet per photo and report.md (a
// table of the automatic checks of checks.ts) into the output folder, and prints the table.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { ASPECT_IDS, STYLE_IDS, type StyleId } from "@headshot/shared";
import { createStudioPipeline } from "../src/engine/pipeline";
import { createFaceDetector, type FaceDetector } from "../src/engine/face-detector";
import { isEngineError } from "../src/engine/types";
import type { RgbImage } from "../src/engine/geometry";
import { contactSheet } from "../src/engine/cli/sheet";
import { PHOTOS, type EvalPhoto } from "./photos";
import { BOUNDS, bottomFill, islands, skinLab, facePoints, skinShift, type OutputChecks } from "./checks";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CACHE = path.join(HERE, ".cache");
const COLOUR_STYLES = STYLE_IDS.filter((s) => s !== "classic-bw");

async function main(argv: string[]): Promise<void> {
  const outIndex = argv.indexOf("--out");
  const out = path.resolve(
    outIndex >= 0 ? argv[outIndex + 1]! : path.join(HERE, "..", "..", ".scratch", "engine-report"),
  );
  const only = outIndex >= 0 ? argv.filter((_, i) => i !== outIndex && i !== outIndex + 1) : argv;
  const photos = only.length ? PHOTOS.filter((p) => only.includes(p.id)) : PHOTOS;
  await mkdir(out, { recursive: true });
  const pipeline = await createStudioPipeline();
  const detector = await createFaceDetector();
  const lines = [
    "| photo | covers | result | aspect | eye line | centre | tilt° | faces | bottom | islands | ΔL* | Δhue° | verdict |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  let failed = 0;
  for (const photo of photos) {
    const bytes = await load(photo);
    try {
      const { images, metadata, inspection } = await pipeline.inspect({
        photo: bytes,
        styles: [...STYLE_IDS],
        aspects: [...ASPECT_IDS],
      });
      await writeFile(path.join(out, `${photo.id}.png`), await contactSheet(images));
      const input = await decode(bytes);
      const { face, framing, alpha } = inspection;
      for (const aspect of ASPECT_IDS) {
        const win = framing.windows[aspect];
        const skin = facePoints(face, framing, alpha, win);
        const before = skinLab(input, skin.photo, 0, metadata.whiteBalance);
        const image = (style: StyleId) => images.find((i) => i.style === style && i.aspect === aspect)!;
        const seen = await redetect(detector, image("studio-grey").data);
        const eye = { x: framing.canvas.eyeX, y: framing.canvas.eyeY };
        // The largest shift of any colour style, in hue and in lightness.
        let worst: OutputChecks["skin"] = null;
        for (const style of COLOUR_STYLES) {
          const after = skinLab(await decode(image(style).data), skin.output, 0);
          if (!before || !after) continue;
          const shift = skinShift(before, after);
          const larger = (a: number, b: number) => (Math.abs(a) >= Math.abs(b) ? a : b);
          worst = worst
            ? {
                lightness: larger(worst.lightness, shift.lightness),
                hueDegrees: larger(worst.hueDegrees, shift.hueDegrees),
              }
            : shift;
        }
        const checks: OutputChecks = {
          ...seen,
          bottomFill: bottomFill(alpha, framing.canvas.width, win),
          islands: islands(alpha, framing.canvas.width, win, eye),
          skin: worst,
        };
        const verdict = photo.expect ? `✗ ${photo.expect} expected` : judge(checks);
        if (verdict !== "pass") failed++;
        lines.push(
          `| ${photo.id} | ${photo.covers.join(", ")} | ${metadata.upscaled ? "upscaled " : ""}${metadata.upscale}× | ${aspect} | ${fmt(checks.eyeLine)} | ${fmt(checks.centre)} | ${fmt(checks.tiltDegrees, 1)} | ${checks.faces} | ${fmt(checks.bottomFill)} | ${fmt(checks.islands, 4)} | ${fmt(worst?.lightness ?? null, 1)} | ${fmt(worst?.hueDegrees ?? null, 1)} | ${verdict} |`,
        );
      }
    } catch (err) {
      if (!isEngineError(err)) throw err;
      const expected = photo.expect === err.code;
      if (!expected) failed++;
      lines.push(
        `| ${photo.id} | ${photo.covers.join(", ")} | ${err.code} | | | | | | | | | | ${expected ? "refused as expected" : "refused"} |`,
      );
    }
  }
  const table = lines.join("\n");
  await writeFile(path.join(out, "report.md"), `# Studio engine quality report\n\n${table}\n`);
  console.log(table);
  console.log(`\n${failed} output(s) or refusal(s) not as the checks want; sheets and report.md in ${out}`);
}

function judge(c: OutputChecks): string {
  const fails: string[] = [];
  if (c.faces !== 1) fails.push("faces");
  if (c.eyeLine === null || c.eyeLine < BOUNDS.eyeLine[0] || c.eyeLine > BOUNDS.eyeLine[1])
    fails.push("eye line");
  if (c.centre === null || Math.abs(c.centre - 0.5) > BOUNDS.centre) fails.push("centre");
  if (c.tiltDegrees === null || Math.abs(c.tiltDegrees) > BOUNDS.tiltDegrees) fails.push("tilt");
  if (c.bottomFill < BOUNDS.bottomFill) fails.push("bottom");
  if (c.islands > BOUNDS.islands) fails.push("islands");
  if (c.skin && Math.abs(c.skin.hueDegrees) > BOUNDS.hueDegrees) fails.push("hue");
  if (c.skin && Math.abs(c.skin.lightness) > BOUNDS.lightness) fails.push("lightness");
  return fails.length ? `✗ ${fails.join(", ")}` : "pass";
}

/** The face found again on the output: count, eye line, centre and tilt. */
async function redetect(detector: FaceDetector, jpeg: Uint8Array) {
  const { data, info } = await sharp(jpeg)
    .resize(512)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  try {
    const face = await detector.subject({ data, width: info.width, height: info.height });
    const [l, r] = [face.leftEye, face.rightEye];
    return {
      faces: 1 + face.neighbours.length,
      eyeLine: (l.y + r.y) / 2 / info.height,
      centre: (l.x + r.x) / 2 / info.width,
      tiltDegrees: (Math.atan2(r.y - l.y, r.x - l.x) * 180) / Math.PI,
    };
  } catch (err) {
    if (!isEngineError(err)) throw err;
    return { faces: err.code === "MULTIPLE_FACES" ? 2 : 0, eyeLine: null, centre: null, tiltDegrees: null };
  }
}

async function decode(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes)
    .autoOrient()
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** The photo's bytes: from the repository, or from the package that ships it (fetched once into
 * eval/.cache), cropped and enlarged as the set describes. */
async function load(photo: EvalPhoto): Promise<Uint8Array> {
  const file = await sourceFile(photo.source);
  let image = sharp(await readFile(file)).autoOrient();
  const { crop, enlarge } = photo;
  if (crop) image = image.extract(crop);
  if (enlarge) {
    const meta = await sharp(await image.toBuffer()).metadata();
    image = sharp(await image.toBuffer()).resize(Math.round(meta.width! * enlarge), null, {
      kernel: "lanczos3",
    });
  }
  if (!crop && !enlarge) return readFile(file);
  return image.jpeg({ quality: 95 }).toBuffer();
}

async function sourceFile(source: EvalPhoto["source"]): Promise<string> {
  if ("repo" in source) return path.join(HERE, source.repo);
  const dir = path.join(CACHE, source.npm.replace(/[^\w.@-]/g, "_"));
  if (!existsSync(path.join(dir, "package"))) {
    await mkdir(dir, { recursive: true });
    const tgz = execFileSync("npm", ["pack", source.npm, "--silent", "--pack-destination", dir], {
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .pop()!;
    execFileSync("tar", ["xzf", path.join(dir, tgz), "-C", dir]);
  }
  return path.join(dir, source.path);
}

const fmt = (v: number | null, digits = 2) => (v === null ? "—" : v.toFixed(digits));

await main(process.argv.slice(2));
