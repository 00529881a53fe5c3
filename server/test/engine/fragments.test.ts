import { describe, expect, it } from "vitest";
import { detachedBlocks } from "../../src/engine/fragments";

/** A plane of block means drawn as text: `#` opaque, `+` faint (0.3), `.` clear. */
function plane(rows: string[]) {
  const w = rows[0]!.length;
  const mean = new Float32Array(w * rows.length);
  rows.forEach((row, y) =>
    [...row].forEach((c, x) => (mean[y * w + x] = c === "#" ? 1 : c === "+" ? 0.3 : 0)),
  );
  const at = (x: number, y: number) => y * w + x;
  const drawn = (drop: Uint8Array | null) =>
    rows.map((row, y) => [...row].map((c, x) => (drop?.[at(x, y)] ? "x" : c)).join(""));
  return { mean, w, h: rows.length, at, drawn };
}

describe("detached fragments of a matte", () => {
  it("drops a small island apart from the subject, with the faint blocks nearest to it", () => {
    const p = plane([
      "..........................",
      ".##########...............",
      ".##########...............",
      ".##########++++++++++##...",
      ".##########.........+##...",
      ".##########...............",
      ".##########...............",
      ".##########...............",
      ".##########...............",
    ]);
    const drop = detachedBlocks(p.mean, p.w, p.h, p.at(4, 2));
    expect(p.drawn(drop)).toEqual([
      "..........................",
      ".##########...............",
      ".##########...............",
      ".##########+++++xxxxxxx...",
      ".##########.........xxx...",
      ".##########...............",
      ".##########...............",
      ".##########...............",
      ".##########...............",
    ]);
  });

  it("drops faint haze that reaches no opaque island", () => {
    const p = plane(["..........", ".####..++.", ".####...+.", ".####....."]);
    expect(p.drawn(detachedBlocks(p.mean, p.w, p.h, p.at(2, 1)))).toEqual([
      "..........",
      ".####..xx.",
      ".####...x.",
      ".####.....",
    ]);
  });

  it("keeps an island too big to be a fragment (a body cut from the head by a thin line)", () => {
    const p = plane(["...####...", "...####...", "..........", ".########.", ".########."]);
    expect(detachedBlocks(p.mean, p.w, p.h, p.at(4, 0))).toBeNull();
  });

  it("counts diagonal contact as attached, and returns null when nothing is detached", () => {
    const p = plane(["######....", "######....", "######+...", ".......#.."]);
    expect(detachedBlocks(p.mean, p.w, p.h, p.at(0, 0))).toBeNull();
  });

  it("takes the largest island as the subject when the seed is not opaque, or without one", () => {
    const p = plane(["#...........", "..########..", "..########..", "..########.."]);
    const expected = ["x...........", "..########..", "..########..", "..########.."];
    expect(p.drawn(detachedBlocks(p.mean, p.w, p.h, p.at(11, 0)))).toEqual(expected);
    expect(p.drawn(detachedBlocks(p.mean, p.w, p.h))).toEqual(expected);
  });
});
