// The face's skin (SPEC §7.2 step 5): the skin-coloured pixels of the subject inside the face
// ellipse, found once per job, then evened where mixed light cast uneven colour on them and
// smoothed where the source still has fine texture. Neither moves the face's mean colour.

import { boxBlur } from "../filters";
import { tempF32, tempI32 } from "../temporaries";
import { smoothstep } from "../smoothstep";
import { cb, clamp8, cr, isSkin, luma } from "./space";

/** How much small-amplitude skin texture is removed (0 = none). */
const SMOOTHING = 0.4;
/** Texture amplitude (8-bit) above which detail is kept whole: pores go, features stay. */
const DETAIL_KEEP = 14;
/** Mean skin texture (8-bit) below which the source counts as soft and is not smoothed, and
 * above which it is smoothed at full strength. */
const SOFT_DETAIL: readonly [number, number] = [1.5, 3.5];
/** Share of the skin's uneven chroma (from mixed light) removed, and the patch (a share of the
 * face's width) over which its local mean is taken. */
const CAST_EVENING = 0.7;
const CAST_PATCH = 0.1;

export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

type Box = { x0: number; y0: number; width: number; height: number };
type Planes = [Float32Array, Float32Array, Float32Array];

/** The face's skin pixels (the first `count` of each array): each one's byte offset in the canvas,
 * index in the box's planes, and 1 − d² (d its distance from the centre in ellipse radii: effects
 * fade towards the rim). The arrays are module temporaries, valid until the next `faceSkin`. */
export interface FaceSkin {
  ellipse: Ellipse;
  box: Box;
  offsets: Int32Array;
  cells: Int32Array;
  rim: Float32Array;
  count: number;
}

/** The face's skin in `rgb` (w × h): skin-coloured pixels of the subject (alpha ≥ 0.5) inside the
 * ellipse; null when the ellipse is too small to work on. */
export function faceSkin(
  rgb: Uint8Array,
  alpha: Float32Array,
  w: number,
  h: number,
  ellipse: Ellipse,
): FaceSkin | null {
  const x0 = Math.max(0, Math.floor(ellipse.cx - ellipse.rx));
  const x1 = Math.min(w, Math.ceil(ellipse.cx + ellipse.rx));
  const y0 = Math.max(0, Math.floor(ellipse.cy - ellipse.ry));
  const y1 = Math.min(h, Math.ceil(ellipse.cy + ellipse.ry));
  const box = { x0, y0, width: x1 - x0, height: y1 - y0 };
  if (box.width < 8 || box.height < 8) return null;
  // Module temporaries: a FaceSkin is used up before the next job's is made (one thread, one
  // job at a time on it).
  const n = box.width * box.height;
  const offsets = tempI32("face.offsets", n);
  const cells = tempI32("face.cells", n);
  const rim = tempF32("face.rim", n);
  let count = 0;
  for (let y = 0; y < box.height; y++) {
    const ny = (y + y0 - ellipse.cy) / ellipse.ry;
    for (let x = 0; x < box.width; x++) {
      const nx = (x + x0 - ellipse.cx) / ellipse.rx;
      const d = nx * nx + ny * ny;
      const i = (y + y0) * w + x + x0;
      if (d >= 1 || alpha[i]! < 0.5) continue;
      const o = i * 3;
      if (!isSkin(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!)) continue;
      offsets[count] = o;
      cells[count] = y * box.width + x;
      rim[count] = 1 - d * d;
      count++;
    }
  }
  return { ellipse, box, offsets, cells, rim, count };
}

/**
 * Local cast removal on the face's skin (mixed light: a window on one cheek, a coloured lamp on the
 * other). The skin's chroma (Cb, Cr), averaged over patches a tenth of the face wide, is pulled
 * towards the face's own mean chroma by CAST_EVENING; luma is untouched, and so is the mean (the
 * pulls are made to sum to zero): the face keeps its skin tone, only uneven colour from the light
 * goes.
 */
export function evenSkinCast(rgb: Uint8Array, skin: FaceSkin): void {
  const { box, offsets, cells, rim, count } = skin;
  if (count < (box.width * box.height) / 8) return;
  // The patches' means are smooth over a tenth of the face: they are taken on a grid of 2 × 2
  // cells, a quarter of the work, and each pixel reads its cell's.
  const gw = (box.width + 1) >> 1;
  const gh = (box.height + 1) >> 1;
  const n = gw * gh;
  const [u, v, weight] = ["cast.u", "cast.v", "cast.w"].map((k) => tempF32(k, n).fill(0, 0, n)) as Planes;
  const grid = tempI32("cast.cell", count);
  // Hot loops over the face's pixels: no destructuring, no closures.
  let su = 0;
  let sv = 0;
  for (let k = 0; k < count; k++) {
    const o = offsets[k]!;
    const c = cells[k]!;
    const x = c % box.width;
    const j = (((c - x) / box.width) >> 1) * gw + (x >> 1);
    grid[k] = j;
    const pu = cb(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
    const pv = cr(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
    u[j] = u[j]! + pu;
    v[j] = v[j]! + pv;
    weight[j] = weight[j]! + 1;
    su += pu;
    sv += pv;
  }
  const mu = su / count;
  const mv = sv / count;
  const radius = Math.max(1, Math.round((skin.ellipse.rx * CAST_PATCH) / 2));
  const blur = (plane: Float32Array, key: string) =>
    boxBlur(plane, gw, gh, radius, tempF32(`cast.blur.${key}`, n));
  const [bu, bv, bw] = [blur(u, "u"), blur(v, "v"), blur(weight, "w")];
  // Each pixel's pull (its patch's offset from the face's mean chroma, fading towards the rim),
  // less the pulls' own mean.
  const pullU = tempF32("cast.pu", count);
  const pullV = tempF32("cast.pv", count);
  let ou = 0;
  let ov = 0;
  for (let k = 0; k < count; k++) {
    const j = grid[k]!;
    const strength = CAST_EVENING * rim[k]!;
    const pu = (bu[j]! / bw[j]! - mu) * strength;
    const pv = (bv[j]! / bw[j]! - mv) * strength;
    pullU[k] = pu;
    pullV[k] = pv;
    ou += pu;
    ov += pv;
  }
  ou /= count;
  ov /= count;
  for (let k = 0; k < count; k++) {
    const o = offsets[k]!;
    const du = pullU[k]! - ou;
    const dv = pullV[k]! - ov;
    // Cb/Cr offsets back to RGB (BT.601), luma unchanged.
    rgb[o] = clamp8(rgb[o]! - 1.402 * dv);
    rgb[o + 1] = clamp8(rgb[o + 1]! + 0.344136 * du + 0.714136 * dv);
    rgb[o + 2] = clamp8(rgb[o + 2]! - 1.772 * du);
  }
}

/**
 * Frequency-separation smoothing of the face's skin, on luma: the luma is split into a blurred
 * base and detail; small detail is reduced, edges (eyes, brows, lips) are kept, and each pixel's
 * channels move alike, so chroma is untouched. A soft source (enlarged, out of focus, already
 * retouched) has little texture left: smoothing it more would make it waxy, so the strength
 * follows the texture the face still has.
 */
export function smoothSkin(rgb: Uint8Array, w: number, skin: FaceSkin): void {
  const { box, offsets, cells, rim, count } = skin;
  if (count === 0) return;
  const radius = Math.max(2, Math.round(skin.ellipse.rx * 0.02));
  // Synchronous: the planes are module temporaries (only the first width × height values are used).
  const n = box.width * box.height;
  const y = lumaPlane(rgb, w, box, tempF32("skin.luma", n));
  // Two box passes approximate a Gaussian.
  const mid = boxBlur(y, box.width, box.height, radius, tempF32("skin.mid", n));
  const base = boxBlur(mid, box.width, box.height, radius, tempF32("skin.base", n));
  const detail = tempF32("skin.detail", count);
  let sum = 0;
  let textured = 0;
  for (let k = 0; k < count; k++) {
    const j = cells[k]!;
    const d = Math.abs(y[j]! - base[j]!);
    detail[k] = d;
    if (d < DETAIL_KEEP) {
      sum += d;
      textured++;
    }
  }
  const strength = SMOOTHING * smoothstep(SOFT_DETAIL[0], SOFT_DETAIL[1], textured ? sum / textured : 0);
  if (strength === 0) return;
  for (let k = 0; k < count; k++) {
    const d = detail[k]!;
    if (d >= DETAIL_KEEP) continue;
    const o = offsets[k]!;
    const j = cells[k]!;
    // Fade out towards the ellipse's rim and for larger detail.
    const shift = (base[j]! - y[j]!) * strength * rim[k]! * (1 - d / DETAIL_KEEP);
    rgb[o] = clamp8(rgb[o]! + shift);
    rgb[o + 1] = clamp8(rgb[o + 1]! + shift);
    rgb[o + 2] = clamp8(rgb[o + 2]! + shift);
  }
}

/** The luma of the `box` of interleaved RGB `rgb` (`w` pixels wide), as a plane into `out`. */
function lumaPlane(rgb: Uint8Array, w: number, box: Box, out: Float32Array): Float32Array {
  for (let y = 0, j = 0; y < box.height; y++) {
    for (let o = ((y + box.y0) * w + box.x0) * 3, end = o + box.width * 3; o < end; o += 3, j++) {
      out[j] = luma(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
    }
  }
  return out;
}
