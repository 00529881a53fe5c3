// Red-eye (SPEC §7.2 step 5): the flash's reflection off the retina, found inside each iris the
// attention model measured and turned back into a dark pupil.

import type { Iris } from "../face-detector";
import { smoothstep } from "../smoothstep";
import { clamp8 } from "./space";

/** Looked for within this many iris radii of its centre, in pixels whose red exceeds this
 * multiple of their green and blue and this level. */
const RED_EYE_REACH = 1.3;
const RED_EYE_RATIO = 1.6;
const RED_EYE_MIN = 60;

/**
 * Red-eye: inside each iris (1.3 × its radius), a pixel whose red stands well above its green and
 * blue (the flash's reflection off the retina) loses the excess red and becomes the dark pupil it
 * should be. An iris of any colour, and the skin around it, fail that test and stay as they are.
 */
export function removeRedEye(rgb: Uint8Array, w: number, h: number, irises: readonly Iris[]): void {
  for (const { centre, radius } of irises) {
    const r = radius * RED_EYE_REACH;
    for (let y = Math.max(0, Math.floor(centre.y - r)); y <= Math.min(h - 1, Math.ceil(centre.y + r)); y++) {
      for (
        let x = Math.max(0, Math.floor(centre.x - r));
        x <= Math.min(w - 1, Math.ceil(centre.x + r));
        x++
      ) {
        const d = Math.hypot(x + 0.5 - centre.x, y + 0.5 - centre.y) / r;
        if (d >= 1) continue;
        const o = (y * w + x) * 3;
        const [R, G, B] = [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!];
        const other = Math.max(G, B);
        const redness = R - RED_EYE_RATIO * other;
        if (redness <= 0 || R < RED_EYE_MIN) continue;
        // Fully at a clearly red pixel, fading in from the threshold and out at the rim.
        const k = Math.min(1, redness / 40) * (1 - smoothstep(0.8, 1, d));
        const pupil = (G + B) / 2;
        rgb[o] = clamp8(R + (pupil - R) * k);
      }
    }
  }
}
