// Step 1's decoding of big JPEGs: at half size through an anonymous RAM file (the photo never gets
// a name, on disk or anywhere), giving the canvas a full-size decode would.

import { readdirSync, readlinkSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { frameHeadshot } from "../../src/engine/framing";
import type { Face } from "../../src/engine/face-detector";
import { openSource, renderCanvas, withRamFile, type SourceImage } from "../../src/engine/source-image";
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

/** A face whose frame has the bench's scale on a 3000 × 4000 photo (~0.39: shrink in [2, 3)). */
const face: Face = {
  box: { x: 1200, y: 1200, width: 650, height: 850 },
  score: 1,
  leftEye: { x: 1350, y: 1500 },
  rightEye: { x: 1656, y: 1480 },
  chin: { x: 1500, y: 2000 },
  forehead: { x: 1500, y: 1250 },
  skin: [],
  yawRadians: 0,
};

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

const fullSizeOnly = (src: SourceImage): SourceImage => ({ ...src, withHalfDecode: async () => null });

let big: Buffer;
beforeAll(async () => {
  big = await sharp(await fixture("one_face_sample1_crop.jpg"))
    .resize(3000, 4000, { fit: "fill", kernel: "lanczos3" })
    .jpeg({ quality: 92 })
    .toBuffer();
});

describe.runIf(process.platform === "linux")("half-size JPEG decode", () => {
  it("reads the photo from an unnamed RAM file that is closed afterwards", async () => {
    const before = readdirSync("/dev/shm");
    const seen = await withRamFile(big, async (path) => {
      expect(readdirSync("/dev/shm")).toEqual(before); // no name, not even for a moment
      expect(ramFiles()).toHaveLength(1);
      return (await sharp(path).metadata()).width;
    });
    expect(seen).toBe(3000);
    expect(ramFiles()).toHaveLength(0);
  });

  it("closes the file when decoding fails", async () => {
    const src = await openSource(big);
    await expect(
      src.withHalfDecode(async () => {
        throw new Error("decode failed");
      }),
    ).rejects.toThrow("decode failed");
    expect(ramFiles()).toHaveLength(0);
  });

  it("has libjpeg decode JPEGs at half size, and only JPEGs", async () => {
    const src = await openSource(big);
    const meta = await src.withHalfDecode((open) => open().metadata());
    expect([meta?.width, meta?.height]).toEqual([1500, 2000]);
    const png = await openSource(await sharp(big).resize(1500).png().toBuffer());
    expect(await png.withHalfDecode((open) => open().metadata())).toBeNull();
  });

  it("renders the canvas a full-size decode gives, upright or EXIF-rotated", async () => {
    const framing = frameHeadshot(face, ["1:1", "4:5"]);
    expect(framing.scale).toBeGreaterThan(1 / 3);
    expect(framing.scale).toBeLessThanOrEqual(1 / 2);
    const src = await openSource(big);
    const reference = await renderCanvas(fullSizeOnly(src), framing);
    let halfDecodes = 0;
    const counted: SourceImage = {
      ...src,
      withHalfDecode: (use) => {
        halfDecodes++;
        return src.withHalfDecode(use);
      },
    };
    const half = await renderCanvas(counted, framing);
    expect(halfDecodes).toBe(1);
    expect(meanAbsDiff(half.rgb, reference.rgb)).toBeLessThan(0.3);

    // Stored turned a quarter left with orientation 6: the same oriented photo.
    const rotated = await sharp(big)
      .rotate(-90)
      .jpeg({ quality: 92 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const turned = await openSource(rotated);
    expect([turned.width, turned.height]).toEqual([3000, 4000]);
    expect(meanAbsDiff((await renderCanvas(turned, framing)).rgb, reference.rgb)).toBeLessThan(0.5);
  });
});
