// Step 1's decoding of big JPEGs: libjpeg shrinks them on load through an anonymous RAM file (the
// photo never gets a name, on disk or anywhere), giving the canvas a full-size decode would.

import { readdirSync, readlinkSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { frameHeadshot } from "../../src/engine/framing";
import { canvasToSource } from "../../src/engine/geometry";
import type { Face } from "../../src/engine/face-detector";
import {
  detectionCopy,
  framePreview,
  openSource,
  ramFilesAvailable,
  renderCanvas,
  withRamFile,
  type SourceImage,
} from "../../src/engine/source-image";
import { fixture } from "./fixtures";

/** Open descriptors of this process that point at an unnamed file in /dev/shm. */
const ramFiles = () =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith("/dev/shm/#");
    } catch {
      return false; // closed while listing
    }
  });

/** A face on a 3000 × 4000 photo with this inter-pupil distance (px), eyes slightly tilted. */
const face = (ipd: number): Face => ({
  box: { x: 1500 - ipd, y: 1300, width: 2 * ipd, height: 2.6 * ipd },
  leftEye: { x: 1500 - ipd / 2, y: 1510 },
  rightEye: { x: 1500 + ipd / 2, y: 1490 },
  chin: { x: 1500, y: 1500 + 1.6 * ipd },
  skin: [],
  irises: [],
  yawRadians: 0,
  neighbours: [],
});

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** The photo decoded without shrink-on-load by libjpeg (as before this path existed). */
const fullSizeOnly = (src: SourceImage): SourceImage => ({ ...src, withShrinkOnLoad: async () => null });

/** `src`, recording the factor of each shrink-on-load decode that succeeded. */
function recorded(src: SourceImage): SourceImage & { factors: number[] } {
  const factors: number[] = [];
  return {
    ...src,
    factors,
    withShrinkOnLoad: async (factor, use) => {
      const result = await src.withShrinkOnLoad(factor, use);
      if (result !== null) factors.push(factor);
      return result;
    },
  };
}

let upright: Buffer;
let rotated: Buffer;
beforeAll(async () => {
  upright = await sharp(await fixture("one_face_sample1_crop.jpg"))
    .resize(3000, 4000, { fit: "fill", kernel: "lanczos3" })
    .jpeg({ quality: 92 })
    .toBuffer();
  // Stored turned a quarter left with orientation 6, as phones write portraits.
  rotated = await sharp(upright)
    .rotate(-90)
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
});

describe.runIf(ramFilesAvailable())("shrink-on-load through an anonymous RAM file", () => {
  it("reads the photo from a file that never has a name and is closed afterwards", async () => {
    const before = readdirSync("/dev/shm");
    const width = await withRamFile(upright, async (path) => {
      expect(readdirSync("/dev/shm")).toEqual(before); // no name, not even for a moment
      expect(ramFiles()).toHaveLength(1);
      return (await sharp(path).metadata()).width;
    });
    expect(width).toBe(3000);
    expect(ramFiles()).toHaveLength(0);
  });

  it("closes the file when decoding fails", async () => {
    const src = await openSource(upright);
    await expect(
      src.withShrinkOnLoad(2, async () => {
        throw new Error("decode failed");
      }),
    ).rejects.toThrow("decode failed");
    expect(ramFiles()).toHaveLength(0);
  });

  it("has libjpeg decode JPEGs at ½, ¼ and ⅛ size, and only JPEGs", async () => {
    const src = await openSource(upright);
    for (const factor of [2, 4, 8] as const) {
      const meta = await src.withShrinkOnLoad(factor, (open) => open().metadata());
      expect([meta?.width, meta?.height]).toEqual([3000 / factor, 4000 / factor]);
    }
    const png = await openSource(await sharp(upright).resize(1500).png().toBuffer());
    expect(await png.withShrinkOnLoad(2, (open) => open().metadata())).toBeNull();
  });

  it.each([
    ["the usual 12 MP frame, shrink in [2, 3)", 300, 2],
    ["a face filling the photo, shrink in [4, 8)", 600, 4],
  ])("renders the canvas a full-size decode gives: %s", async (_, ipd, factor) => {
    const framing = frameHeadshot(face(ipd), ["1:1", "4:5"]);
    const src = await openSource(upright);
    const reference = await renderCanvas(fullSizeOnly(src), framing);
    for (const photo of [upright, rotated]) {
      const shrunk = recorded(await openSource(photo));
      expect([shrunk.width, shrunk.height]).toEqual([3000, 4000]);
      const canvas = await renderCanvas(shrunk, framing);
      expect(shrunk.factors).toEqual([factor]);
      // The rotated copy is a second JPEG encoding: its own small differences add to the decode's.
      expect(meanAbsDiff(canvas.rgb, reference.rgb)).toBeLessThan(photo === upright ? 0.3 : 0.5);
      expect(ramFiles()).toHaveLength(0);
    }
  });

  it("falls back to the full-size decode when the shrunk one fails", async () => {
    const framing = frameHeadshot(face(300), ["1:1"]);
    const src = await openSource(upright);
    const failing: SourceImage = {
      ...src,
      withShrinkOnLoad: async () => {
        throw new Error("/proc/self/fd unreadable here");
      },
    };
    const canvas = await renderCanvas(failing, framing);
    const reference = await renderCanvas(fullSizeOnly(src), framing);
    expect(Buffer.from(canvas.rgb).equals(Buffer.from(reference.rgb))).toBe(true);
  });
});

describe("the frame levelled from the detection copy", () => {
  it("exists while the copy has at least as many pixels across the frame as asked for", async () => {
    const copy = await detectionCopy(await openSource(upright)); // 384 × 512 of 3000 × 4000
    expect([copy.width, copy.height]).toEqual([384, 512]);
    // Eyes 300 px apart: the 1024 px frame spans 2 572 photo px, 329 copy px.
    const near = framePreview(copy, frameHeadshot(face(300), ["1:1", "4:5"]), 256, 320);
    expect(near).toHaveLength(256 * 320 * 3);
    // Eyes 100 px apart: 110 copy px across the frame, too coarse for a 256 px preview.
    expect(framePreview(copy, frameHeadshot(face(100), ["1:1", "4:5"]), 256, 320)).toBeNull();
  });
});

describe("the canvas' coverage where the frame reaches past the photo", () => {
  /** A face with eyes `ipd` apart at (x, y) of the photo, tilted by `roll` radians. */
  const tilted = (x: number, y: number, ipd: number, roll: number): Face => {
    const [dx, dy] = [(Math.cos(roll) * ipd) / 2, (Math.sin(roll) * ipd) / 2];
    return {
      box: { x: x - ipd, y: y - ipd, width: 2 * ipd, height: 2.6 * ipd },
      leftEye: { x: x - dx, y: y - dy },
      rightEye: { x: x + dx, y: y + dy },
      chin: { x: x - 1.6 * ipd * Math.sin(roll), y: y + 1.6 * ipd * Math.cos(roll) },
      skin: [],
      irises: [],
      yawRadians: 0,
      neighbours: [],
    };
  };

  it.each([
    ["near the top-left corner, tilted", 90, 70, 40, 0.3],
    ["near the right edge, tilted the other way", 520, 400, 40, -0.45],
    ["low in the photo, level", 300, 760, 40, 0],
    ["large and central, the frame barely past a corner", 300, 400, 60, 0.1],
  ])("is 1 on the photo and fades over 48 px past its edge: face %s", async (_, x, y, ipd, roll) => {
    const [pw, ph] = [600, 800];
    const photo = await sharp({ create: { width: pw, height: ph, channels: 3, background: "#808080" } })
      .png()
      .toBuffer();
    const framing = frameHeadshot(tilted(x, y, ipd, roll), ["1:1", "4:5"]);
    const { coverage, width, height, padded } = await renderCanvas(await openSource(photo), framing);
    expect(padded).toBe(true);
    let worst = 0;
    let fading = 0;
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        const p = canvasToSource(framing, u + 0.5, v + 0.5);
        const out = Math.max(0, -p.x, p.x - pw, -p.y, p.y - ph) * framing.scale;
        const expected = out <= 0 ? 1 : Math.max(0, 1 - out / 48);
        worst = Math.max(worst, Math.abs(coverage![v * width + u]! - expected));
        if (expected > 0 && expected < 1) fading++;
      }
    }
    expect(worst).toBeLessThan(1e-6);
    expect(fading).toBeGreaterThan(1000);
    // Each row is 1 over one interval: the matte fades only the two ends (FramedCanvas.coverage).
    for (let v = 0; v < height; v++) {
      const row = Array.from(coverage!.subarray(v * width, (v + 1) * width));
      const [first, last] = [row.indexOf(1), row.lastIndexOf(1)];
      if (first >= 0) expect(row.slice(first, last + 1).every((c) => c === 1)).toBe(true);
    }
  });
});
