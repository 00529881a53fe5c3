// The matte where the frame reaches past the photo: the subject fades out with the canvas'
// coverage, as a smooth ramp.

import { describe, expect, it } from "vitest";
import { computeMatte } from "../../src/engine/matte";
import { SEGMENT_SIZE } from "../../src/engine/segmenter";

describe("the matte past the photo's edge", () => {
  it("fades the subject out with the coverage, block means included", () => {
    // A skin-toned subject filling the right of a grey canvas; the photo ends at x = 176 and the
    // canvas fades out over the next 48 px (as `renderCanvas` pads), nothing beyond x = 224.
    const [w, h] = [256, 320];
    const [edge, fade] = [176, 48];
    const subject = (x: number, y: number) => x >= 96 && y >= 40;
    const rgb = new Uint8Array(w * h * 3);
    const coverage = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        rgb.set(subject(x, y) ? [200, 150, 120] : [90, 90, 90], (y * w + x) * 3);
        coverage[y * w + x] = Math.max(0, Math.min(1, 1 - (x + 0.5 - edge) / fade));
      }
    }
    const coarse = new Float32Array(SEGMENT_SIZE * SEGMENT_SIZE).map((_, i) => {
      const [u, v] = [i % SEGMENT_SIZE, Math.floor(i / SEGMENT_SIZE)];
      return subject(((u + 0.5) * w) / SEGMENT_SIZE, ((v + 0.5) * h) / SEGMENT_SIZE) ? 1 : 0;
    });
    const canvas = { rgb, width: w, height: h, coverage, padded: true };
    const { alpha, alphaSmall, smallWidth } = computeMatte(canvas, coarse);

    const row = 200;
    expect(alpha[row * w + 140]).toBe(1); // inside the photo: the subject, opaque
    for (let y = 0; y < h; y++) expect(Math.max(...alpha.subarray(y * w + edge + fade, (y + 1) * w))).toBe(0);
    // Across the fade the subject follows the coverage's smooth ramp (refining the edge there
    // would steepen it in bands, one per block row of the colour model).
    for (let x = edge; x < edge + fade; x++)
      expect(alpha[row * w + x]).toBeCloseTo(coverage[row * w + x]!, 5);
    // Block means (the contact shadow's input) fade alike.
    for (let bx = edge / 4; bx < (edge + fade) / 4; bx++) {
      let mean = 0;
      for (let x = bx * 4; x < bx * 4 + 4; x++) mean += coverage[row * w + x]! / 4;
      expect(alphaSmall[(row / 4) * smallWidth + bx]).toBeCloseTo(mean, 5);
    }
  });
});
