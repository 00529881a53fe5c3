// The matte's working grid, which every part of the matte shares: one sample per SUB × SUB block
// of the canvas, each block's class, and the guide's colour planes on it.
//
// V8 reads an imported binding at every use and cannot fold it into the code as it does a
// module's own constants, so functions whose per-pixel or per-block loops use SUB or a block
// class copy it into a local first (without that, the matte took ~1.5 ms longer per photo).

/** Working resolution of the filters, as a divisor of the canvas size. */
export const SUB = 4;

/** The working grid's size for a canvas. */
export const gridSize = (width: number, height: number) => ({
  width: Math.floor(width / SUB),
  height: Math.floor(height / SUB),
});

/** Block classes: every pixel transparent, every pixel opaque, or computed per pixel. */
export const CLEAR = 0;
export const SOLID = 1;
export const MIXED = 2;

/** Colour planes (R, G, B in 0..1) on the matte's working grid: one sample per SUB×SUB block. */
export type GuidePlanes = [Float32Array, Float32Array, Float32Array];
