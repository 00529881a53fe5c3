// The subject prior where other people are in the photo, and the pockets on her chest it fills.

import { describe, expect, it } from "vitest";
import { applySubjectPrior, type PersonPrior } from "../../../src/engine/matte/prior";

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
