// Box shrink of an RGBA raster by a whole factor: the HEIF decoder's stand-in for JPEG's
// shrink-on-load, which libheif lacks (HEVC decodes at full size only).

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  rgba: Uint8Array;
}

/** The smallest whole factor that brings `width` × `height` within `maxPixels`. */
export function shrinkFactorFor(width: number, height: number, maxPixels: number): number {
  let factor = 1;
  while (Math.ceil(width / factor) * Math.ceil(height / factor) > maxPixels) factor++;
  return factor;
}

/** Each output pixel is the mean of its factor × factor block (fewer at the right and bottom). */
export function shrinkRgba({ width, height, rgba }: RgbaImage, factor: number): RgbaImage {
  if (factor === 1) return { width, height, rgba };
  const ow = Math.ceil(width / factor);
  const oh = Math.ceil(height / factor);
  const out = new Uint8Array(ow * oh * 4);
  const sums = new Uint32Array(ow * 4);
  for (let oy = 0; oy < oh; oy++) {
    sums.fill(0);
    const rows = Math.min(factor, height - oy * factor);
    for (let y = oy * factor; y < oy * factor + rows; y++) {
      let i = y * width * 4;
      for (let ox = 0, o = 0; ox < ow; ox++, o += 4) {
        const end = Math.min(width, (ox + 1) * factor);
        let r = 0;
        let g = 0;
        let b = 0;
        let a = 0;
        for (let x = ox * factor; x < end; x++, i += 4) {
          r += rgba[i]!;
          g += rgba[i + 1]!;
          b += rgba[i + 2]!;
          a += rgba[i + 3]!;
        }
        sums[o] = sums[o]! + r;
        sums[o + 1] = sums[o + 1]! + g;
        sums[o + 2] = sums[o + 2]! + b;
        sums[o + 3] = sums[o + 3]! + a;
      }
    }
    for (let ox = 0; ox < ow; ox++) {
      const n = rows * Math.min(factor, width - ox * factor);
      const o = ox * 4;
      const at = (oy * ow + ox) * 4;
      for (let c = 0; c < 4; c++) out[at + c] = Math.round(sums[o + c]! / n);
    }
  }
  return { width: ow, height: oh, rgba: out };
}
