import { describe, expect, it } from "vitest";
import { SEGMENT_SIZE } from "../../src/engine/segmenter";
import { bodyRoll, subjectReach, surveyMap } from "../../src/engine/survey";
import { canvasToSource } from "../../src/engine/geometry";

// A survey of a photo whose eyes are at (1000, 800) and whose head is 300 px tall, levelled.
const HEAD = 300;
const map = surveyMap({ x: 1000, y: 800 }, 0, HEAD);
const n = SEGMENT_SIZE;

/** A survey mask: 1 where `on(u, v)` (view pixels), else 0. */
function mask(on: (u: number, v: number) => boolean): Float32Array {
  const m = new Float32Array(n * n);
  for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) m[v * n + u] = on(u + 0.5, v + 0.5) ? 1 : 0;
  return m;
}

const unit = HEAD * map.scale;
const { eyeX, eyeY } = map.canvas;
/** A torso below the chin, half a head height wide each side, leaning by `lean` radians. */
const torso = (lean: number) => (u: number, v: number) =>
  v > eyeY + 0.5 * unit && Math.abs(u - eyeX + Math.tan(lean) * (v - eyeY - 0.5 * unit)) < 0.5 * unit;

describe("the survey", () => {
  it("reads the body's axis: upright, and leaning either way", () => {
    const photo = { width: 4000, height: 4000 };
    for (const degrees of [0, 15, -15]) {
      const lean = (degrees * Math.PI) / 180;
      expect(bodyRoll(mask(torso(lean)), map, photo, HEAD)! * (180 / Math.PI)).toBeCloseTo(degrees, 0);
    }
  });

  it("has no axis when the photo shows no body", () => {
    expect(
      bodyRoll(
        mask(() => false),
        map,
        { width: 4000, height: 4000 },
        HEAD,
      ),
    ).toBeNull();
  });

  it("finds the cuts where the photo's border crosses the subject, and only there", () => {
    // The photo ends 1.2 head heights under the eyes: its bottom edge crosses the torso.
    const photo = { width: 4000, height: 800 + 1.2 * HEAD };
    const reach = subjectReach(mask(torso(0)), map, photo, 0);
    expect(reach.cuts.length).toBeGreaterThan(0);
    for (const p of reach.cuts) {
      expect(p.y).toBe(photo.height);
      expect(Math.abs(p.x - 1000)).toBeLessThan(0.5 * HEAD + 2 / map.scale);
    }
    // Presence: on the torso inside the photo, nothing past its edge.
    const inside = canvasToSource(map, eyeX, eyeY + unit);
    expect(reach.presence(inside)).toBe(1);
    expect(reach.presence({ x: 1000, y: photo.height + 10 })).toBe(0);
  });
});
