// What the fake "generates": the input photo cover-cropped to the aspect ratio asked for, tinted
// toward a colour derived from the prompt (so each style looks different), and labelled so a
// person looking at the local preview knows no model drew it.
import { createHash } from "node:crypto";
import sharp from "sharp";

const WIDTH = 1024;
const LABEL = "AI studio (local fake)";

/** A JPEG for the model input; throws, like a model would, when `input_image` isn't an image. */
export async function drawFakeHeadshot(input: Record<string, unknown>): Promise<Buffer> {
  const photo = imageBytes(input.input_image);
  const height = heightFor(input.aspect_ratio);
  const [r, g, b] = tintOf(String(input.prompt ?? ""));
  const base = await sharp(photo).rotate().resize(WIDTH, height, { fit: "cover" }).toBuffer();
  return sharp(base)
    .composite([
      { input: { create: { width: WIDTH, height, channels: 4, background: { r, g, b, alpha: 0.35 } } } },
      { input: Buffer.from(labelSvg(height)), top: 0, left: 0 },
    ])
    .jpeg({ quality: 85 })
    .toBuffer();
}

function imageBytes(value: unknown): Buffer {
  const match = typeof value === "string" ? /^data:image\/[\w.+-]+;base64,(.+)$/s.exec(value) : null;
  if (!match) throw new Error("input_image: expected an image data URL");
  return Buffer.from(match[1]!, "base64");
}

/** "4:5" → 1280 at 1024 wide; anything else keeps the 4:5 our engine asks for. */
function heightFor(aspectRatio: unknown): number {
  const match = typeof aspectRatio === "string" ? /^(\d+):(\d+)$/.exec(aspectRatio) : null;
  const [w, h] = match ? [Number(match[1]), Number(match[2])] : [4, 5];
  return Math.round((WIDTH * h) / w);
}

/** A mid-saturation colour whose hue the prompt decides. */
function tintOf(prompt: string): [number, number, number] {
  const hue = createHash("sha256").update(prompt).digest().readUInt16BE(0) % 360;
  const chroma = 0.45;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const sector = Math.floor(hue / 60);
  const [r, g, b] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][sector]!;
  const m = 0.5 - chroma / 2;
  return [r, g, b].map((c) => Math.round((c! + m) * 255)) as [number, number, number];
}

function labelSvg(height: number): string {
  const band = 72;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}">
  <rect x="0" y="${height - band}" width="${WIDTH}" height="${band}" fill="black" fill-opacity="0.55"/>
  <text x="${WIDTH / 2}" y="${height - band / 2 + 12}" font-family="DejaVu Sans, sans-serif" font-size="34"
    fill="white" text-anchor="middle">${LABEL}</text>
</svg>`;
}
