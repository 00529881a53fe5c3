// HEIC/HEIF decoding within a memory budget (heif/decode.ts): libheif in a thread of its own,
// ended after a large image; a giant raster comes back box-shrunk.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeHeif, MAX_DECODED_PIXELS } from "../../src/engine/heif/decode";
import { shrinkFactorFor, shrinkRgba } from "../../src/engine/heif/shrink";
import { EngineError } from "../../src/engine/types";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

describe("shrinkRgba", () => {
  it("averages each block, the partial ones at the right and bottom edges too", () => {
    // 3 × 2 pixels, factor 2: blocks of 2×2 and 1×2 pixels.
    const rgba = Uint8Array.from(
      [
        [0, 10, 20, 255],
        [100, 110, 120, 255],
        [7, 7, 7, 7],
        [50, 60, 70, 255],
        [250, 250, 250, 255],
        [9, 9, 9, 9],
      ].flat(),
    );
    const out = shrinkRgba({ width: 3, height: 2, rgba }, 2);
    expect([out.width, out.height]).toEqual([2, 1]);
    expect([...out.rgba]).toEqual([100, 108, 115, 255, 8, 8, 8, 8]);
  });

  it("picks the smallest whole factor that fits the budget", () => {
    expect(shrinkFactorFor(4032, 3024, MAX_DECODED_PIXELS)).toBe(1);
    expect(shrinkFactorFor(8064, 6048, MAX_DECODED_PIXELS)).toBe(2);
    expect(shrinkFactorFor(7000, 7000, MAX_DECODED_PIXELS)).toBe(2);
    expect(shrinkFactorFor(10, 10, 9)).toBe(4);
  });
});

describe("decodeHeif", () => {
  it("decodes a phone-sized HEIC at full size", async () => {
    const image = await decodeHeif(fixture("one_face_sample1_crop.heic"), 50_000_000);
    expect([image.width, image.height, image.rgba.length]).toEqual([700, 1000, 700 * 1000 * 4]);
  });

  it("hands a 49 MP HEIC back box-shrunk to 12 MP", async () => {
    const image = await decodeHeif(fixture("flat_7000x7000.heic"), 50_000_000);
    expect([image.width, image.height]).toEqual([3500, 3500]);
    // The flat grey survives the shrink.
    const [r, g, b, a] = image.rgba.subarray(4 * (1750 * 3500 + 1750));
    expect(Math.abs(r! - 120)).toBeLessThan(6);
    expect(Math.abs(g! - 130)).toBeLessThan(6);
    expect(Math.abs(b! - 140)).toBeLessThan(6);
    expect(a).toBe(255);
  });

  it("refuses from the header an image over the pixel limit, and decodes the next photo", async () => {
    const refusal = await decodeHeif(fixture("flat_7000x7000.heic"), 40_000_000).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).code).toBe("CORRUPT_IMAGE");
    expect((refusal as EngineError).detail).toMatch(/7000×7000 is over 40 MP/);
    const next = await decodeHeif(fixture("one_face_sample1_crop.heic"), 50_000_000);
    expect(next.width).toBe(700);
  });
});
