import { describe, expect, it } from "vitest";
import { pickSubject } from "../../src/engine/face-detector";
import { EngineError } from "../../src/engine/types";

/** A face of this width and FaceMesh score (position is irrelevant to the rules). */
const face = (width: number, score: number) => ({ score, box: { x: 0, y: 0, width, height: width } });

const refusal = (faces: ReturnType<typeof face>[]) => {
  try {
    pickSubject(faces);
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return (err as EngineError).code;
  }
  return "accepted";
};

describe("picking the subject", () => {
  it("takes the largest sure face and keeps much smaller ones as neighbours", () => {
    expect(pickSubject([face(40, 0.99), face(120, 1), face(60, 0.5)])).toBe(1);
  });

  it("refuses two people of similar size, however sure the larger one is", () => {
    expect(refusal([face(120, 1), face(80, 0.97)])).toBe("MULTIPLE_FACES");
  });

  it("is not hidden by a larger face it doubts, and counts that face as a person", () => {
    // A poster scoring 0.5 beside a real face: no longer NO_FACE for the doubtful one's sake.
    expect(refusal([face(200, 0.5), face(120, 1)])).toBe("MULTIPLE_FACES");
    expect(pickSubject([face(60, 0.5), face(120, 1)])).toBe(1);
  });

  it("finds no subject among doubtful faces only", () => {
    expect(refusal([face(200, 0.58)])).toBe("NO_FACE");
    expect(refusal([])).toBe("NO_FACE");
  });
});
