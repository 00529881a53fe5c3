// Colour maths shared by the colour steps: BT.601 luma and chroma, and the chroma box that holds
// every skin tone under neutral light.

/** Skin chroma in YCbCr (BT.601, 8-bit offsets) covering all skin tones under neutral light. */
const SKIN_CB: readonly [number, number] = [77, 127];
const SKIN_CR: readonly [number, number] = [133, 173];

export type Rgb = [number, number, number];

export const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
export const cb = (r: number, g: number, b: number) => 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
export const cr = (r: number, g: number, b: number) => 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;

/** Distance in the CbCr plane from the skin chroma box (0 inside it). */
export function skinDistance(r: number, g: number, b: number): number {
  const u = cb(r, g, b);
  const v = cr(r, g, b);
  const du = Math.max(0, SKIN_CB[0] - u, u - SKIN_CB[1]);
  const dv = Math.max(0, SKIN_CR[0] - v, v - SKIN_CR[1]);
  return Math.hypot(du, dv);
}

/** Inside the skin chroma box (same as skinDistance(...) === 0, without the square root). */
export function isSkin(r: number, g: number, b: number): boolean {
  const u = cb(r, g, b);
  if (u < SKIN_CB[0] || u > SKIN_CB[1]) return false;
  const v = cr(r, g, b);
  return v >= SKIN_CR[0] && v <= SKIN_CR[1];
}

export const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
