import { describe, expect, it } from "vitest";
import { STYLES, styleById } from "@headshot/shared";
import { evenSkinCast, faceSkin, smoothSkin } from "../../src/engine/colour/face-skin";
import { faceExposure } from "../../src/engine/colour/light";
import { removeRedEye } from "../../src/engine/colour/red-eye";

const W = 200;
const H = 200;
const FACE = { cx: 100, cy: 100, rx: 70, ry: 85 };

/** A W × H RGB image filled by `colour(x, y)`. */
function image(colour: (x: number, y: number) => readonly [number, number, number]): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set(colour(x, y), (y * W + x) * 3);
  return rgb;
}

/** Mean of `f(r, g, b)` over the pixels where `where(x, y)`. */
function meanOver(
  rgb: Uint8Array,
  where: (x: number, y: number) => boolean,
  f: (r: number, g: number, b: number) => number,
): number {
  let [sum, n] = [0, 0];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!where(x, y)) continue;
      const o = (y * W + x) * 3;
      sum += f(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
      n++;
    }
  }
  return sum / n;
}

const inDisc = (cx: number, cy: number, r: number) => (x: number, y: number) =>
  Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < r;
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
const SKIN = [196, 146, 118] as const;

describe("red-eye", () => {
  const irises = [
    { centre: { x: 70, y: 90 }, radius: 10 },
    { centre: { x: 130, y: 90 }, radius: 10 },
  ];
  const redness = (r: number, g: number, b: number) => r - Math.max(g, b);

  it("turns a flash-red pupil dark and leaves a brown iris and the skin around it alone", () => {
    const red = inDisc(70, 90, 7);
    const brown = inDisc(130, 90, 7);
    const rgb = image((x, y) => (red(x, y) ? [205, 40, 45] : brown(x, y) ? [110, 72, 48] : SKIN));
    const before = rgb.slice();
    removeRedEye(rgb, W, H, irises);
    expect(meanOver(before, red, redness)).toBeGreaterThan(150);
    expect(meanOver(rgb, red, redness)).toBeLessThan(10);
    expect(meanOver(rgb, brown, redness)).toBeCloseTo(meanOver(before, brown, redness), 5);
    // The skin (reddish, but not a retina's red) inside the reach keeps its colour.
    const skinNearEye = (x: number, y: number) => inDisc(70, 90, 12.5)(x, y) && !red(x, y);
    expect(meanOver(rgb, skinNearEye, redness)).toBeCloseTo(meanOver(before, skinNearEye, redness), 5);
  });

  it("does nothing outside the irises' reach", () => {
    const rgb = image(() => [210, 30, 30]);
    removeRedEye(rgb, W, H, irises);
    expect(meanOver(rgb, inDisc(100, 160, 20), redness)).toBe(180);
  });
});

describe("local cast removal on the face", () => {
  // Skin lit magenta from the left and yellow-green from the right: the same skin tone in the
  // middle, a cast that grows towards each cheek.
  const lit = () =>
    image((x) => {
      const t = (x - 100) / 70;
      return [SKIN[0] + 14 * -t, SKIN[1] + 10 * t, SKIN[2] + 16 * -t].map(Math.round) as [
        number,
        number,
        number,
      ];
    });
  const inFace = (x: number, y: number) =>
    ((x - FACE.cx) / FACE.rx) ** 2 + ((y - FACE.cy) / FACE.ry) ** 2 < 0.6;
  const cr = (r: number, g: number, b: number) => 0.5 * r - 0.418688 * g - 0.081312 * b;
  const cheek = (side: -1 | 1) => (x: number, y: number) => inFace(x, y) && Math.sign(x - 100) === side;
  const alpha = new Float32Array(W * H).fill(1);

  it("evens the cast across the face and keeps its mean colour and every pixel's luma", () => {
    const rgb = lit();
    const before = rgb.slice();
    evenSkinCast(rgb, faceSkin(rgb, alpha, W, H, FACE)!);
    const spread = (img: Uint8Array) => meanOver(img, cheek(-1), cr) - meanOver(img, cheek(1), cr);
    expect(Math.abs(spread(rgb))).toBeLessThan(0.5 * Math.abs(spread(before)));
    for (const k of [0, 1, 2]) {
      const channel = (r: number, g: number, b: number) => [r, g, b][k]!;
      expect(Math.abs(meanOver(rgb, inFace, channel) - meanOver(before, inFace, channel))).toBeLessThan(1);
    }
    let lumaChange = 0;
    for (let o = 0; o < rgb.length; o += 3) {
      lumaChange = Math.max(
        lumaChange,
        Math.abs(luma(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!) - luma(before[o]!, before[o + 1]!, before[o + 2]!)),
      );
    }
    expect(lumaChange).toBeLessThan(1.5);
  });

  it("leaves what is not the subject alone (the matte's background)", () => {
    const rgb = lit();
    const before = rgb.slice();
    evenSkinCast(rgb, faceSkin(rgb, new Float32Array(W * H), W, H, FACE)!);
    expect(rgb).toEqual(before);
  });
});

describe("skin smoothing", () => {
  const opaque = new Float32Array(W * H).fill(1);
  // Pore-scale texture: ±4 levels on a 2-pixel checker.
  const textured = () =>
    image((x, y) => {
      const d = ((x >> 1) + (y >> 1)) % 2 ? 4 : -4;
      return [SKIN[0] + d, SKIN[1] + d, SKIN[2] + d];
    });
  const texture = (img: Uint8Array) => meanOver(img, inDisc(100, 100, 40), (r) => Math.abs(r - SKIN[0]));

  it("softens fine texture on a sharp face", () => {
    const rgb = textured();
    smoothSkin(rgb, W, faceSkin(rgb, opaque, W, H, FACE)!);
    expect(texture(rgb)).toBeLessThan(0.8 * texture(textured()));
  });

  it("backs off on a face that is already soft (little texture left): no waxy skin", () => {
    const soft = image((x, y) => {
      const d = ((x >> 1) + (y >> 1)) % 2 ? 1 : -1;
      return [SKIN[0] + d, SKIN[1] + d, SKIN[2] + d];
    });
    const before = soft.slice();
    smoothSkin(soft, W, faceSkin(soft, opaque, W, H, FACE)!);
    expect(soft).toEqual(before);
  });
});

describe("face exposure per backdrop", () => {
  const white = styleById("high-key-white");
  const dark = styleById("low-key-dark");
  const darkFace = [70, 48, 38] as [number, number, number];
  const lightFace = [225, 185, 160] as [number, number, number];

  it("lifts a dark face on a white backdrop, within a photographer's fill (≤ 1.25×)", () => {
    const gain = faceExposure(darkFace, 200, white);
    expect(gain).toBeGreaterThan(1.1);
    expect(gain).toBeLessThanOrEqual(1.25);
    expect(faceExposure(darkFace, 200, styleById("warm-beige"))).toBeGreaterThan(1);
  });

  it("leaves the same face alone on the mid and dark backdrops", () => {
    for (const style of STYLES.filter((s) => s.id !== "high-key-white" && s.id !== "warm-beige")) {
      expect(faceExposure(darkFace, 200, style), style.id).toBe(1);
    }
  });

  it("keeps a bright face on low-key dark from blowing out", () => {
    // Highlights at 238: the style's contrast would push them to ~250.
    const gain = faceExposure(lightFace, 238, dark);
    const { exposure, contrast } = dark.grade;
    expect(contrast * exposure * gain * 238 + 128 * (1 - contrast)).toBeLessThanOrEqual(245.01);
  });

  it("cuts exposure by at most 10 % to keep highlights, whatever the photo clipped", () => {
    for (const style of STYLES)
      expect(faceExposure(lightFace, 255, style), style.id).toBeGreaterThanOrEqual(0.9);
  });
});
