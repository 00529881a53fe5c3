// The detector's eye centres against pupils labelled by hand (test/fixtures/eye-labels.json), so
// a change to detection can be judged against the photo rather than against the detector itself.
import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { createFaceDetector, type FaceDetector } from "../../src/engine/face-detector";
import type { Point } from "../../src/engine/geometry";
import { fixture, labelledEyes, rollDegrees, type Labelled } from "./fixtures";

let detector: FaceDetector;
beforeAll(async () => {
  detector = await createFaceDetector();
});

/**
 * How far the detected eyes of a fixture are from its labelled pupils (in pupil distances), and
 * the roll error in degrees; the photo turned `degrees` clockwise first (sharp enlarges the canvas
 * around it), the labels with it.
 */
async function eyes(name: Labelled, degrees = 0) {
  const photo = sharp(await fixture(name)).removeAlpha();
  const before = await photo.metadata();
  const { data, info } = await photo
    .rotate(degrees, { background: "#808080" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const face = await detector.subject({ data: new Uint8Array(data), width: info.width, height: info.height });
  const [cos, sin] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  const turn = ({ x, y }: Point): Point => {
    const [dx, dy] = [x - before.width! / 2, y - before.height! / 2];
    return { x: info.width / 2 + dx * cos - dy * sin, y: info.height / 2 + dx * sin + dy * cos };
  };
  const [l, r] = labelledEyes(name).map(turn) as [Point, Point];
  const ipd = Math.hypot(r.x - l.x, r.y - l.y);
  const miss = (p: Point, q: Point) => Math.hypot(p.x - q.x, p.y - q.y) / ipd;
  return {
    left: miss(face.leftEye, l),
    right: miss(face.rightEye, r),
    rollError: Math.abs(rollDegrees(face.leftEye, face.rightEye) - rollDegrees(l, r)),
  };
}

describe("eye centres against hand-labelled pupils", () => {
  it("finds the astronaut's pupils (a frontal studio portrait)", async () => {
    const e = await eyes("astronaut.png");
    expect(e.left).toBeLessThan(0.06);
    expect(e.right).toBeLessThan(0.06);
    expect(e.rollError).toBeLessThan(1.5);
  });

  it("finds both of sample1's eyes, the far one above her painted cheek", async () => {
    // FaceMesh + Iris put the far eye 12 px (0.16 of the pupil distance) low, on the painted
    // triangle under it, and levelled her outputs 7.6° the wrong way; the attention model finds
    // it. The eye centre blends the iris with the eye corners, so a sideways gaze moves it a little.
    const e = await eyes("one_face_sample1_crop.jpg");
    expect(e.left).toBeLessThan(0.06);
    expect(e.right).toBeLessThan(0.06);
    expect(e.rollError).toBeLessThan(1.5);
  });

  it.each([
    ["astronaut.png", 20],
    ["one_face_sample1_crop.jpg", -20],
  ] as const)("finds them in %s turned %i° (the crop follows the tilt)", async (name, degrees) => {
    const e = await eyes(name, degrees);
    expect(e.left).toBeLessThan(0.08);
    expect(e.right).toBeLessThan(0.08);
    expect(e.rollError).toBeLessThan(2);
  });
});
