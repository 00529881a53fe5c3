import { describe, expect, it } from "vitest";
import { detachedBlocks } from "../../../src/engine/matte/fragments";
import { drawn, matteOf, plane } from "./synthetic";

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
    const p = plane(["######....", "######....", "######....", "######....", "......#..."]);
    expect(detachedBlocks(p.mean, p.w, p.h, p.at(0, 0))).toBeNull();
    // Apart by one block, the same island is dropped.
    const q = plane(["######....", "######....", "######....", "######....", ".......#.."]);
    expect(q.drawn(detachedBlocks(q.mean, q.w, q.h, q.at(0, 0)))[4]).toBe(".......x..");
  });

  it("measures fragments against the seeded subject, not the largest island", () => {
    // Subject 40 blocks, another island 80, a third 3: over 5 % of the subject (2), under 5 % of
    // the largest (4). Seeded, the third stays; without a seed the largest is the subject.
    const p = plane([
      "########..........",
      "########...#######",
      "########...#######",
      "########...#######",
      "########...#######",
      "...........#######",
      "...........#######",
      "##.........#######",
      "#..........#######",
      "...........#######",
      "...........#######",
      "...........#######",
    ]);
    expect(detachedBlocks(p.mean, p.w, p.h, p.at(0, 0))).toBeNull();
    expect(p.drawn(detachedBlocks(p.mean, p.w, p.h)).slice(7, 9)).toEqual([
      "xx.........#######",
      "x..........#######",
    ]);
  });

  it("takes the largest island as the subject when the seed is not opaque, or without one", () => {
    const p = plane(["#...........", "..########..", "..########..", "..########.."]);
    const expected = ["x...........", "..########..", "..########..", "..########.."];
    expect(p.drawn(detachedBlocks(p.mean, p.w, p.h, p.at(11, 0)))).toEqual(expected);
    expect(p.drawn(detachedBlocks(p.mean, p.w, p.h))).toEqual(expected);
  });
});

describe("the matte", () => {
  it("clears an island the segmentation was sure of, apart from the subject", () => {
    // A skin-toned subject and, in a corner, a small red patch; the model calls both a person.
    const [w, h] = [256, 320];
    const subject = (x: number, y: number) => Math.hypot((x - 128) / 70, (y - 190) / 110) < 1;
    const patch = (x: number, y: number) => x >= 8 && x < 40 && y >= 270 && y < 302;
    const { canvas, coarse } = drawn(
      w,
      h,
      (x, y) => (subject(x, y) ? [200, 150, 120] : patch(x, y) ? [200, 30, 30] : [60, 60, 60]),
      (x, y) => (subject(x, y) || patch(x, y) ? 1 : 0),
    );
    const { alpha } = matteOf({ canvas, coarse });
    expect(alpha[190 * w + 128]).toBe(1);
    expect(Math.max(...alpha.subarray(260 * w, 310 * w).filter((_, i) => i % w < 50))).toBe(0);
  });
});
