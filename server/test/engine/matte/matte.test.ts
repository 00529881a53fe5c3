// The matte where the frame reaches past the photo (the subject fades out with the canvas'
// coverage, as a smooth ramp), edge refinement in soft regions, and islands at the photo's edge.

import { describe, expect, it } from "vitest";
import { EDGE_FADE } from "../../../src/engine/source-image";
import { cb, cr, luma } from "../../../src/engine/colour/space";
import { drawn, matteOf } from "./synthetic";

describe("the matte past the photo's edge", () => {
  it("fades the subject out with the coverage, block means included", () => {
    // A skin-toned subject filling the right of a grey canvas; the photo ends at x = 176 and the
    // canvas fades out over the next 48 px (as `renderCanvas` pads), nothing beyond x = 224.
    const [w, h] = [256, 320];
    const [edge, fade] = [176, EDGE_FADE];
    const subject = (x: number, y: number) => x >= 96 && y >= 40;
    const { canvas, coarse } = drawn(
      w,
      h,
      (x, y) => (subject(x, y) ? [200, 150, 120] : [90, 90, 90]),
      (x, y) => (subject(x, y) ? 1 : 0),
      edge,
    );
    const coverage = canvas.coverage!;
    const { alpha, alphaSmall, smallWidth } = matteOf({ canvas, coarse });

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

describe("edge refinement in a soft region", () => {
  it("fades in and out with the local colour model, without steps at block edges", () => {
    // Backdrop-coloured pixels the model half believes (0.7, like a dark bow on a dark
    // background) between the backdrop (x < 64) and a light subject (x ≥ 96): refinement pulls
    // them down where it has both local means and must fade out where it loses them.
    const [w, h] = [256, 320];
    const { canvas, coarse } = drawn(
      w,
      h,
      (x) => (x < 96 ? [40, 40, 40] : [200, 150, 120]),
      (x) => (x < 64 ? 0 : x < 96 ? 0.7 : 1),
    );
    const { alpha } = matteOf({ canvas, coarse });
    const row = 160 * w;
    let step = 0;
    // Up to the subject's own edge at x = 96; a switch instead of a fade stepped by 0.56 here.
    for (let x = 64; x < 95; x++) step = Math.max(step, Math.abs(alpha[row + x + 1]! - alpha[row + x]!));
    expect(step).toBeLessThan(0.2);
    expect(alpha[row + 85]).toBeLessThan(0.15); // where both means are present, still pulled down
  });
});

describe("islands at the photo's edge", () => {
  it("drops one however far its edge pixels repeat into the padding", () => {
    // A red patch on the photo's right edge (x = 176), small beside the subject; past the edge the
    // canvas repeats it as a streak to x = 256, which the model also calls a person.
    const [w, h] = [256, 320];
    const edge = 176;
    const subject = (x: number, y: number) => Math.hypot((x - 100) / 60, (y - 200) / 100) < 1;
    const patch = (x: number, y: number) => x >= edge - 12 && y >= 40 && y < 64;
    const { canvas, coarse } = drawn(
      w,
      h,
      (x, y) => (subject(x, y) ? [200, 150, 120] : patch(x, y) ? [200, 30, 30] : [60, 60, 60]),
      (x, y) => (subject(x, y) || patch(x, y) ? 1 : 0),
      edge,
    );
    const { alpha } = matteOf({ canvas, coarse });
    expect(alpha[200 * w + 100]).toBe(1);
    expect(Math.max(...alpha.subarray(50 * w + edge - 12, 50 * w + edge))).toBe(0);
  });
});

describe("colour spill", () => {
  // Brown hair (x ≥ 128) on a saturated background; within 8 px of its edge the background's
  // light tints the opaque hair 35 % of the way to the background colour.
  const hair: [number, number, number] = [90, 62, 44];
  const tinted = (bg: [number, number, number], x: number): [number, number, number] => {
    const k = x < 136 ? 0.35 : 0;
    return hair.map((c, i) => Math.round(c + k * (bg[i]! - c))) as [number, number, number];
  };
  const matteOn = (bg: [number, number, number]) => {
    const [w, h] = [256, 320];
    const scene = drawn(
      w,
      h,
      (x) => (x < 128 ? bg : tinted(bg, x)),
      (x) => (x < 128 ? 0 : 1),
    );
    return { ...matteOf(scene), rgb: scene.canvas.rgb, w };
  };
  const chromaOf = ([r, g, b]: Iterable<number> & ArrayLike<number>) =>
    [cb(r!, g!, b!), cr(r!, g!, b!)] as const;
  const lumaOf = ([r, g, b]: Iterable<number> & ArrayLike<number>) => luma(r!, g!, b!);

  it("takes a blue screen's tint out of opaque hair at the edge, keeping its luma", () => {
    const blue: [number, number, number] = [30, 70, 210];
    const { foreground, alpha, rgb, w } = matteOn(blue);
    const [hu, hv] = chromaOf(hair);
    for (const x of [130, 132, 134]) {
      const i = (160 * w + x) * 3;
      expect(alpha[160 * w + x]).toBeGreaterThan(0.9);
      const before = chromaOf(rgb.subarray(i, i + 3));
      const after = chromaOf(foreground.subarray(i, i + 3));
      // The tint moved the chroma by ~35; at most a third of it is left (the local foreground
      // mean it is measured against holds some of the tinted band itself).
      const tint = Math.hypot(before[0] - hu, before[1] - hv);
      expect(tint).toBeGreaterThan(30);
      expect(Math.hypot(after[0] - hu, after[1] - hv)).toBeLessThan(tint / 3);
      expect(Math.abs(lumaOf(foreground.subarray(i, i + 3)) - lumaOf(rgb.subarray(i, i + 3)))).toBeLessThan(
        1.5,
      );
    }
  });

  it("leaves the edge alone on a grey background", () => {
    const grey: [number, number, number] = [128, 128, 128];
    const { foreground, alpha, rgb, w } = matteOn(grey);
    let opaque = 0;
    for (let x = 128; x < 150; x++) {
      const i = (160 * w + x) * 3;
      if (alpha[160 * w + x]! < 0.99) continue;
      opaque++;
      expect([...foreground.subarray(i, i + 3)]).toEqual([...rgb.subarray(i, i + 3)]);
    }
    expect(opaque).toBeGreaterThan(10);
  });
});
