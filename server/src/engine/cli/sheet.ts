// A contact sheet: every style in both aspects on one PNG, for a person to judge outputs.

import sharp, { type OverlayOptions } from "sharp";
import { ASPECT_IDS, STYLE_IDS } from "@headshot/shared";
import type { EngineImage } from "../types";

const CELL = 320;
const GAP = 8;

export async function contactSheet(images: readonly EngineImage[]): Promise<Buffer> {
  const tiles: OverlayOptions[] = [];
  const rowHeights = ASPECT_IDS.map((a) => Math.round(CELL * (a === "1:1" ? 1 : 1.25)));
  for (const img of images) {
    const col = STYLE_IDS.indexOf(img.style);
    const row = ASPECT_IDS.indexOf(img.aspect);
    const top = GAP + rowHeights.slice(0, row).reduce((s, h) => s + h + GAP, 0);
    const input = await sharp(img.data).resize(CELL).toBuffer();
    tiles.push({ input, left: GAP + col * (CELL + GAP), top });
  }
  const width = GAP + STYLE_IDS.length * (CELL + GAP);
  const height = GAP + rowHeights.reduce((s, h) => s + h + GAP, 0);
  return sharp({ create: { width, height, channels: 3, background: "#ffffff" } })
    .composite(tiles)
    .png()
    .toBuffer();
}
