// The matte where the frame reaches past the photo (the subject fades out with the canvas'
// coverage, as a smooth ramp), the subject prior where other people are in the photo, and the
// pockets on her chest the prior fills.

import { describe, expect, it } from "vitest";
import { applySubjectPrior, type PersonPrior } from "../../src/engine/matte";
import { EDGE_FADE } from "../../src/engine/source-image";
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

/**
 * The subject prior on 256 × 320 samples of 4 canvas px where the model is sure of a person
 * everywhere, but in `pocket` (a rectangle of canvas pixels) where it gives `value`; the subject's
 * eyes at (512, 512), head 430 px, as `frameHeadshot` frames every photo. Returns the prior's
 * value at a canvas point.
 */
function prior(
  neighbours: PersonPrior[],
  pocket?: { box: readonly [number, number, number, number]; value: number },
) {
  const [w, h, step] = [256, 320, 4];
  const p = new Float32Array(w * h).fill(1);
  if (pocket) {
    const [x0, y0, x1, y1] = pocket.box;
    for (let y = y0 / step; y < y1 / step; y++) p.fill(pocket.value, y * w + x0 / step, y * w + x1 / step);
  }
  applySubjectPrior(p, w, h, step, { eyeX: 512, eyeY: 512, head: 430, neighbours });
  return (x: number, y: number) => p[Math.floor(y / step) * w + Math.floor(x / step)]!;
}

describe("the subject prior with other people in the photo", () => {
  it("gives a neighbour's head and shoulders to the neighbour", () => {
    const alone = prior([]);
    const beside = prior([{ eyeX: 1000, eyeY: 560, head: 300 }]);
    expect(alone(960, 900)).toBe(1); // her shoulder, were she not there: the subject's outline
    expect(beside(960, 900)).toBe(0);
    expect(beside(1000, 560)).toBe(0); // the neighbour's face
    expect(beside(512, 900)).toBe(1); // the subject's chest
    expect(beside(700, 1000)).toBe(1); // the subject's shoulder, nearer to her than to him
  });

  it("never gives away the subject's core, whoever stands behind her", () => {
    // A small face just above her shoulder, in a crowd behind her: she is nearer everywhere.
    const crowd = prior([{ eyeX: 600, eyeY: 700, head: 120 }]);
    expect(crowd(560, 800)).toBe(1);
    // A head as large as hers centred on her collarbone is nearer there, yet the core is hers.
    const close = prior([{ eyeX: 641, eyeY: 700, head: 400 }]);
    expect(close(641, 727)).toBe(1);
    expect(close(512, 480)).toBe(1);
  });
});

describe("pockets on the subject's chest the model doubts", () => {
  // Pockets count from y ≈ 942, a head height below her eyes.
  const pocketed = (
    box: readonly [number, number, number, number],
    value: number,
    neighbours: PersonPrior[] = [],
  ) => prior(neighbours, { box, value });
  const badge: [number, number, number, number] = [760, 1100, 880, 1180];
  const centre = [820, 1140] as const;

  it("fills a pocket it leans towards, enclosed by the subject (a name badge), to its edges", () => {
    const filled = pocketed(badge, 0.6);
    expect(filled(...centre)).toBe(1);
    expect(filled(764, 1104)).toBe(1);
    expect(filled(876, 1176)).toBe(1);
  });

  it("leaves a pocket it takes for background (the gap between an arm and the body)", () => {
    expect(pocketed(badge, 0.2)(...centre)).toBe(0);
  });

  it.each([
    ["right", [760, 1100, 1024, 1180]],
    ["left", [0, 1100, 880, 1180]],
    ["bottom", [760, 1100, 880, 1280]],
    ["top", [760, 0, 880, 1180]],
  ] as const)("leaves a notch open to the frame's %s edge", (_, notch) => {
    expect(pocketed(notch, 0.6)(...centre)).toBe(0);
  });

  it("leaves a pocket wider than 0.6 head heights", () => {
    expect(pocketed([640, 1100, 920, 1180], 0.6)(780, 1140)).toBe(0);
  });

  it("leaves the space beside the neck, where hair and shoulders enclose background", () => {
    expect(pocketed([700, 680, 800, 760], 0.6)(750, 720)).toBeLessThan(0.9);
  });

  it("fills nothing when someone else is in the photo (their body may enclose a gap)", () => {
    expect(pocketed(badge, 0.6, [{ eyeX: 950, eyeY: 250, head: 150 }])(...centre)).toBe(0);
  });
});
