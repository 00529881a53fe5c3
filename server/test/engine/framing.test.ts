import { describe, expect, it } from "vitest";
import { ASPECT_IDS } from "@headshot/shared";
import {
  EYE_LINE,
  frameHeadshot,
  HEAD_FRACTION,
  LEVEL_TOLERANCE,
  type Framing,
  type SubjectReach,
} from "../../src/engine/framing";
import { sourceToCanvas, type Point } from "../../src/engine/geometry";
import type { EngineError } from "../../src/engine/types";

// A synthetic person: eyes 100 px apart, so a head 360 px tall (chin to crown), standing upright
// in a photo that shows their body below `bodyEnd` px under the eyes, cut by the photo's border
// wherever the border crosses them.
const IPD = 100;
const HEAD = 360;

interface Scene {
  photo: { width: number; height: number };
  eye: Point;
  /** The eyes' roll (radians) and the body's axis (the roll standing it upright). */
  roll?: number;
  bodyRoll?: number | null;
  /** How far below the eyes the body ends (px); Infinity: it runs on. */
  bodyEnd?: number;
  /** How far above the eyes the hair reaches (px). */
  hairTop?: number;
}

function face({ eye, roll = 0 }: Scene) {
  const [c, s] = [Math.cos(roll), Math.sin(roll)];
  const at = (dx: number, dy: number) => ({ x: eye.x + c * dx - s * dy, y: eye.y + s * dx + c * dy });
  return { leftEye: at(-IPD / 2, 0), rightEye: at(IPD / 2, 0), chin: at(0, 0.5 * HEAD), yawRadians: 0 };
}

/** Whether a photo point is on the person: a head ellipse and, below the neck, shoulders 2.4
 * heads wide along the body's axis. */
function onPerson(scene: Scene, p: Point): boolean {
  const { eye, roll = 0, bodyRoll = roll, bodyEnd = Infinity, hairTop = 0.6 * HEAD } = scene;
  const turn = (r: number) => {
    const [dx, dy] = [p.x - eye.x, p.y - eye.y];
    return { u: Math.cos(r) * dx + Math.sin(r) * dy, v: -Math.sin(r) * dx + Math.cos(r) * dy };
  };
  const h = turn(roll);
  // The head: an ellipse from the chin (half a head under the eyes) to the top of the hair.
  const ry = (0.5 * HEAD + hairTop) / 2;
  const cy = (0.5 * HEAD - hairTop) / 2;
  if ((h.u / (0.4 * HEAD)) ** 2 + ((h.v - cy) / ry) ** 2 <= 1) return true;
  const b = turn(bodyRoll ?? roll);
  return b.v >= 0.45 * HEAD && b.v <= bodyEnd && Math.abs(b.u) <= 1.2 * HEAD;
}

/** The reach `survey.ts` would measure: the border's cuts, one point per 2 px, and presence. */
function reachOf(scene: Scene): SubjectReach {
  const { width: w, height: h } = scene.photo;
  const inside = (p: Point) => p.x >= 0 && p.y >= 0 && p.x <= w && p.y <= h;
  const cuts: Point[] = [];
  for (let t = 0; t <= Math.max(w, h); t += 2) {
    for (const p of [
      { x: t, y: 0 },
      { x: t, y: h },
      { x: 0, y: t },
      { x: w, y: t },
    ]) {
      if (inside(p) && onPerson(scene, p)) cuts.push(p);
    }
  }
  return {
    cuts,
    presence: (p) => (inside(p) && onPerson(scene, p) ? 1 : 0),
    bodyRoll: scene.bodyRoll === undefined ? (scene.roll ?? 0) : scene.bodyRoll,
  };
}

const frame = (scene: Scene) => frameHeadshot(face(scene), ASPECT_IDS, reachOf(scene));

/** No cut of the subject by the photo's border inside any window (the engine's 3 px tolerance
 * and a pixel of rounding). */
function expectNoCutShows(framing: Framing, reach: SubjectReach) {
  for (const aspect of ASPECT_IDS) {
    const win = framing.windows[aspect];
    const shown = reach.cuts
      .map((p) => sourceToCanvas(framing, p))
      .filter(
        (q) =>
          q.x > win.left + 4 &&
          q.x < win.left + win.width - 4 &&
          q.y > win.top + 4 &&
          q.y < win.top + win.height - 4,
      );
    expect(shown, `${aspect}: cuts inside the frame`).toEqual([]);
  }
}

/** The subject fills each window's bottom edge in the middle. */
function expectBodyToBottom(framing: Framing, scene: Scene) {
  for (const aspect of ASPECT_IDS) {
    const win = framing.windows[aspect];
    const { x, y } = { x: win.left + win.width / 2, y: win.top + win.height - 1 };
    const c = Math.cos(framing.roll);
    const s = Math.sin(framing.roll);
    const [dx, dy] = [(x - framing.canvas.eyeX) / framing.scale, (y - framing.canvas.eyeY) / framing.scale];
    const p = { x: framing.eye.x + c * dx - s * dy, y: framing.eye.y + s * dx + c * dy };
    expect(onPerson(scene, p), `${aspect}: the body reaches the bottom edge`).toBe(true);
  }
}

const eyeLines = (f: Framing) => ASPECT_IDS.map((a) => f.windows[a].eyeLine);
const headFraction = (f: Framing) => f.headHeight / f.canvas.width;
const degrees = (r: number) => (r * 180) / Math.PI;

describe("composition (SPEC §7.2.1)", () => {
  const roomy: Scene = { photo: { width: 3000, height: 4000 }, eye: { x: 1500, y: 1200 } };

  it("frames head and shoulders, eyes at 40 %, centred, when the photo holds the whole person", () => {
    const f = frame(roomy);
    expect(headFraction(f)).toBeCloseTo(HEAD_FRACTION.preferred, 5);
    expect(eyeLines(f)).toEqual([EYE_LINE.preferred, EYE_LINE.preferred]);
    expect(reachOf(roomy).cuts.length).toBeGreaterThan(0); // the body runs off the photo's bottom
    expectNoCutShows(f, reachOf(roomy));
  });

  it("keeps the photo's bottom edge below the frame: a bust cut 1.2 heads under the eyes", () => {
    const scene: Scene = { photo: { width: 1600, height: 1200 + 1.2 * HEAD }, eye: { x: 800, y: 1200 } };
    const f = frame(scene);
    expectNoCutShows(f, reachOf(scene));
    expectBodyToBottom(f, scene);
    // A tighter head (and an eye line no higher): never a floating bust.
    expect(headFraction(f)).toBeGreaterThan(HEAD_FRACTION.preferred);
    for (const e of eyeLines(f)) expect(e).toBeGreaterThanOrEqual(EYE_LINE.preferred);
    expect(headFraction(f)).toBeLessThanOrEqual(HEAD_FRACTION.max + 1e-9);
  });

  it("refuses a crop whose bottom edge runs under the chin as SUBJECT_CROPPED", () => {
    const scene: Scene = { photo: { width: 1600, height: 1200 + 0.6 * HEAD }, eye: { x: 800, y: 1200 } };
    expect(() => frame(scene)).toThrow(expect.objectContaining({ code: "SUBJECT_CROPPED" }) as EngineError);
  });

  it("keeps the photo's top edge above the frame when it cuts through tall hair", () => {
    const scene: Scene = {
      photo: { width: 3000, height: 4000 },
      eye: { x: 1500, y: 0.74 * HEAD },
      hairTop: 0.85 * HEAD,
    };
    const reach = reachOf(scene);
    expect(reach.cuts.some((p) => p.y === 0)).toBe(true);
    const f = frame(scene);
    expectNoCutShows(f, reach);
    expectBodyToBottom(f, scene);
    expect(headFraction(f)).toBeGreaterThan(HEAD_FRACTION.preferred);
  });

  it("refuses a photo whose top edge cuts the head itself as SUBJECT_CROPPED", () => {
    // No frame with the eyes at 35 % or lower keeps a top edge 0.45 heads above the eyes out.
    const scene: Scene = { photo: { width: 3000, height: 4000 }, eye: { x: 1500, y: 0.45 * HEAD } };
    expect(() => frame(scene)).toThrow(expect.objectContaining({ code: "SUBJECT_CROPPED" }) as EngineError);
  });

  it.each([
    ["left", { x: 0.9 * HEAD, y: 1200 }],
    ["right", { x: 1600 - 0.9 * HEAD, y: 1200 }],
  ])("keeps the photo's %s edge outside the frame when it cuts a shoulder", (side, eye) => {
    const scene: Scene = { photo: { width: 1600, height: 4000 }, eye };
    const reach = reachOf(scene);
    expect(reach.cuts.some((p) => (side === "left" ? p.x === 0 : p.x === 1600))).toBe(true);
    const f = frame(scene);
    expectNoCutShows(f, reach);
  });

  it("keeps a bottom cut out of the frame by the cut alone (presence everywhere)", () => {
    // Only the cuts constrain here: without the rule the preferred frame would show them.
    const scene: Scene = { photo: { width: 1600, height: 1200 + 1.2 * HEAD }, eye: { x: 800, y: 1200 } };
    const reach = { ...reachOf(scene), presence: () => 1 };
    const f = frameHeadshot(face(scene), ASPECT_IDS, reach);
    expectNoCutShows(f, reach);
    expect(headFraction(f)).toBeGreaterThan(HEAD_FRACTION.preferred);
  });

  it("fits a narrow photo upright when a slight tilt would show its edges", () => {
    // Both side edges cut the shoulders: only an unturned frame fits, and 2.5° is within tolerance.
    const scene: Scene = {
      photo: { width: 532, height: 4000 },
      eye: { x: 266, y: 1200 },
      roll: (2.5 * Math.PI) / 180,
      bodyRoll: (2.5 * Math.PI) / 180,
    };
    const f = frame(scene);
    expectNoCutShows(f, reachOf(scene));
    expect(Math.abs(f.tilt)).toBeLessThanOrEqual(LEVEL_TOLERANCE);
  });

  it("ends the frame within the body when the body ends inside the photo", () => {
    const scene: Scene = { ...roomy, bodyEnd: 1.3 * HEAD };
    const f = frame(scene);
    expectBodyToBottom(f, scene);
  });

  it("levels tilted eyes fully when the body leans with the head", () => {
    const scene: Scene = { ...roomy, roll: (20 * Math.PI) / 180 };
    const f = frame(scene);
    expect(degrees(f.tilt)).toBeCloseTo(0, 5);
    expectNoCutShows(f, reachOf(scene));
  });

  it("levels a head tilted on an upright body only as far as the eyes need: the body leans less", () => {
    const scene: Scene = { ...roomy, roll: (28 * Math.PI) / 180, bodyRoll: 0 };
    const f = frame(scene);
    expect(Math.abs(f.tilt)).toBeLessThanOrEqual(LEVEL_TOLERANCE + 1e-9);
    // The body leans by what was turned: 28° less the tolerance, not the full 28°.
    expect(degrees(f.roll)).toBeCloseTo(28 - degrees(LEVEL_TOLERANCE), 5);
  });

  // A tight crop tilted by `degrees`: turning it fully would show the photo's corners in the frame.
  const tightTilted = (deg: number): Scene => ({
    photo: { width: 2 * HEAD, height: 1200 + 1.2 * HEAD },
    eye: { x: HEAD, y: 1200 },
    roll: (deg * Math.PI) / 180,
  });

  it("levels a tilt as far as the photo's edges allow, within the spec's 8°", () => {
    const scene = tightTilted(25);
    const f = frame(scene);
    expectNoCutShows(f, reachOf(scene));
    expect(Math.abs(f.tilt)).toBeGreaterThan(LEVEL_TOLERANCE);
    expect(degrees(Math.abs(f.tilt))).toBeLessThanOrEqual(8 + 1e-9);
  });

  it("refuses as SUBJECT_CROPPED a tilt the photo's edges keep more than 8° off level", () => {
    expect(() => frame(tightTilted(40))).toThrow(
      expect.objectContaining({ code: "SUBJECT_CROPPED" }) as EngineError,
    );
  });

  it("refuses a face that would need more than 4× enlargement as FACE_TOO_SMALL", () => {
    const tiny = {
      leftEye: { x: 100, y: 100 },
      rightEye: { x: 120, y: 100 },
      chin: { x: 110, y: 135 },
      yawRadians: 0,
    };
    expect(() => frameHeadshot(tiny, ASPECT_IDS)).toThrow(
      expect.objectContaining({ code: "FACE_TOO_SMALL" }) as EngineError,
    );
  });
});
