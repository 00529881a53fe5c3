// Bilinear interpolation on float planes: pixel-centre aligned taps, the cell a pixel reads, the
// resize built from them, and the point read that fades out past a plane's border.

import { describe, expect, it } from "vitest";
import {
  bilinearCell,
  bilinearRow,
  bilinearTap,
  bilinearTaps,
  resizeBilinear,
  sampleAt,
} from "../../src/engine/sampling";

describe("bilinear taps", () => {
  it("align pixel centres and repeat the edge samples", () => {
    // Doubling 4 samples: output pixel x sits at source position (x + 0.5) / 2 - 0.5.
    expect(bilinearTap(0, 4, 0.5)).toEqual({ i0: 0, i1: 1, t: 0 }); // -0.25, clamped
    expect(bilinearTap(1, 4, 0.5)).toEqual({ i0: 0, i1: 1, t: 0.25 });
    expect(bilinearTap(4, 4, 0.5)).toEqual({ i0: 1, i1: 2, t: 0.75 });
    expect(bilinearTap(7, 4, 0.5)).toEqual({ i0: 3, i1: 3, t: 0 }); // 3.25, clamped
  });

  it("are the same per column and per row, a row's as offsets into the plane", () => {
    const columns = bilinearTaps(8, 4);
    for (let x = 0; x < 8; x++) {
      const tap = bilinearTap(x, 4, 0.5);
      expect([columns.i0[x], columns.i1[x], columns.t[x]]).toEqual([tap.i0, tap.i1, tap.t]);
      expect(bilinearRow(x, 4, 10, 0.5)).toEqual({ i0: tap.i0 * 10, i1: tap.i1 * 10, t: tap.t });
    }
  });
});

describe("bilinear resize", () => {
  it("keeps a ramp a ramp inside the plane and holds the edge values past it", () => {
    const out = resizeBilinear(new Float32Array([0, 1, 2, 3]), 4, 1, 8, 1);
    expect([...out]).toEqual([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
  });

  it("reads each pixel's cell: four samples whose weights sum to 1", () => {
    const [sw, sh, dw, dh] = [5, 3, 13, 7];
    const src = Float32Array.from({ length: sw * sh }, (_, i) => Math.sin(i * 1.7) * 10);
    const out = resizeBilinear(src, sw, sh, dw, dh);
    const columns = bilinearTaps(dw, sw);
    for (let y = 0; y < dh; y++) {
      const row = bilinearRow(y, sh, sw, sh / dh);
      for (let x = 0; x < dw; x++) {
        const c = bilinearCell(row, columns, x);
        expect(c.w00 + c.w01 + c.w10 + c.w11).toBeCloseTo(1, 12);
        const v = src[c.i00]! * c.w00 + src[c.i01]! * c.w01 + src[c.i10]! * c.w10 + src[c.i11]! * c.w11;
        expect(v).toBeCloseTo(out[y * dw + x]!, 5);
      }
    }
  });
});

describe("a point read of a plane", () => {
  const plane = new Float32Array([1, 3, 5, 7]); // 2 × 2

  it("gives the samples at their centres and blends between them", () => {
    expect(sampleAt(plane, 2, 2, 1, 0)).toBe(3);
    expect(sampleAt(plane, 2, 2, 0.5, 0)).toBe(2);
    expect(sampleAt(plane, 2, 2, 0.5, 0.5)).toBe(4);
  });

  it("fades out across the border, to 0 a sample beyond it", () => {
    expect(sampleAt(plane, 2, 2, -0.5, 0)).toBe(0.5);
    expect(sampleAt(plane, 2, 2, 1.5, 1)).toBe(3.5);
    expect(sampleAt(plane, 2, 2, -1, 0)).toBe(0);
    expect(sampleAt(plane, 2, 2, 0, 2)).toBe(0);
  });
});
