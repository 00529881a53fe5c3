// The safety classifier's scores on photos and their crops, through the pipeline's own path
// (openSource → detectionCopy → classify), to calibrate UNSAFE_THRESHOLD (src/engine/safety.ts).
//
//   npx tsx scripts/safety-calibration.ts [photos…]
//
// Each photo is scored whole, as portrait crops and as any window, each crop re-encoded as a JPEG
// (quality 90) as a user's upload would be:
// - portrait crops, what someone cropping a photo of themselves would make: around each face
//   found, square and 4:5, 2.5 to 7 head heights tall (head and shoulders to half body), the eyes
//   at 40, 50 or 60 % of the width and 30, 40 or 50 % of the height (the crop moved inside the
//   photo where it ends), with a short side of at least 400 px (the API's minimum);
// - windows: square and 4:5, short side 400 px, 560, 800 or 1100 px (those that fit), a quarter of
//   a window apart, split by whether the engine would go on with them (its face detector finds
//   exactly one subject) — most show a face at an edge, or none, and mostly skin or clothes.
// Prints per photo the whole photo's scores and the highest explicit score of each set; then the
// highest of each set overall, and how many of each set each candidate threshold would refuse.

import path from "node:path";
import { readFile } from "node:fs/promises";
import { detectionCopy, openSource } from "../src/engine/source-image";
import { createFaceDetector } from "../src/engine/face-detector";
import { headHeightOf } from "../src/engine/geometry";
import { createSafetyClassifier, explicitScore, type SafetyScores } from "../src/engine/safety";
import { isEngineError } from "../src/engine/types";

const SIDES = [400, 560, 800, 1100];
const HEADS = [2.5, 3, 3.5, 4, 5, 6, 7];
const EYE_X = [0.4, 0.5, 0.6];
const EYE_Y = [0.3, 0.4, 0.5];
const MIN_SIDE = 400;
const ASPECTS = [1, 4 / 5]; // width / height
const CANDIDATES = [0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995];

const [classifier, detector] = await Promise.all([createSafetyClassifier(), createFaceDetector()]);

interface Scored {
  where: string;
  scores: SafetyScores;
  explicit: number;
  /** The engine's detector found exactly one subject. */
  portrait: boolean;
}
/** A face: eye midpoint and head height, in the photo's pixels. */
interface Head {
  x: number;
  y: number;
  head: number;
}
interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Scores a crop; adds the faces found in it (photo coordinates) to `heads`. */
async function score(photo: Uint8Array, where: string, at?: Window, heads?: Head[]): Promise<Scored> {
  const copy = await detectionCopy(await openSource(photo));
  const scores = await classifier.classify(copy);
  const face = await detector.subject(copy).catch((err: unknown) => {
    if (isEngineError(err)) return undefined;
    throw err;
  });
  if (face && at && heads) {
    const k = at.width / copy.width;
    const { leftEye: l, rightEye: r } = face;
    const found = [
      { eye: { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 }, headHeight: headHeightOf(face) },
      ...face.neighbours,
    ];
    for (const f of found) {
      const h = { x: at.left + f.eye.x * k, y: at.top + f.eye.y * k, head: f.headHeight * k };
      if (!heads.some((o) => Math.hypot(o.x - h.x, o.y - h.y) < 0.5 * o.head)) heads.push(h);
    }
  }
  return { where, scores, explicit: explicitScore(scores), portrait: face !== undefined };
}

/** Crops a user would make around each face (see the top of this file). */
function portraitWindows(heads: Head[], width: number, height: number): Window[] {
  const out: Window[] = [];
  for (const h of heads) {
    for (const n of HEADS) {
      for (const aspect of ASPECTS) {
        const wh = Math.round(n * h.head);
        const ww = Math.round(wh * aspect);
        if (Math.min(ww, wh) < MIN_SIDE || ww > width || wh > height) continue;
        for (const ex of EYE_X) {
          for (const ey of EYE_Y) {
            const left = Math.round(Math.min(width - ww, Math.max(0, h.x - ex * ww)));
            const top = Math.round(Math.min(height - wh, Math.max(0, h.y - ey * wh)));
            if (!out.some((o) => o.left === left && o.top === top && o.width === ww && o.height === wh))
              out.push({ left, top, width: ww, height: wh });
          }
        }
      }
    }
  }
  return out;
}

function windows(width: number, height: number): Window[] {
  const out: Window[] = [];
  for (const side of SIDES) {
    for (const aspect of ASPECTS) {
      const [w, h] = [side, Math.round(side / aspect)];
      if (w > width || h > height || (w === width && h === height)) continue;
      const step = Math.round(side / 4);
      for (let top = 0; top + h <= height; top += step) {
        for (let left = 0; left + w <= width; left += step) out.push({ left, top, width: w, height: h });
      }
    }
  }
  return out;
}

const fmt = (s: Scored) =>
  `explicit ${s.explicit.toFixed(4)} (Porn ${s.scores.Porn.toFixed(4)}, Hentai ${s.scores.Hentai.toFixed(4)}, ` +
  `Sexy ${s.scores.Sexy.toFixed(3)}, Neutral ${s.scores.Neutral.toFixed(3)}, Drawing ${s.scores.Drawing.toFixed(3)}) ` +
  `${s.where}${s.portrait ? "" : " [no single face]"}`;
const highest = (xs: Scored[]) =>
  xs.reduce<Scored | undefined>((a, b) => (a && a.explicit >= b.explicit ? a : b), undefined);

const sets = {
  whole: [] as Scored[],
  portrait: [] as Scored[],
  oneFace: [] as Scored[],
  other: [] as Scored[],
};
const label = (c: Window) => `${c.width}×${c.height}+${c.left}+${c.top}`;
for (const file of process.argv.slice(2)) {
  const name = path.basename(file);
  const bytes = await readFile(file);
  const src = await openSource(bytes);
  const heads: Head[] = [];
  const whole = await score(
    bytes,
    `${name} whole`,
    { left: 0, top: 0, width: src.width, height: src.height },
    heads,
  );
  const crop = async (c: Window, found?: Head[]) =>
    score(await src.open().extract(c).jpeg({ quality: 90 }).toBuffer(), `${name} ${label(c)}`, c, found);
  const sliding: Scored[] = [];
  for (const c of windows(src.width, src.height)) sliding.push(await crop(c, heads));
  const portraits: Scored[] = [];
  for (const c of portraitWindows(heads, src.width, src.height)) portraits.push(await crop(c));
  sets.whole.push(whole);
  sets.portrait.push(...portraits);
  sets.oneFace.push(...sliding.filter((c) => c.portrait));
  sets.other.push(...sliding.filter((c) => !c.portrait));
  console.log(`${name} ${src.width}×${src.height}, ${heads.length} faces\n  whole: ${fmt(whole)}`);
  const top = highest(portraits);
  if (top) console.log(`  ${portraits.length} portrait crops, highest: ${fmt(top)}`);
  const any = highest(sliding);
  if (any) console.log(`  ${sliding.length} windows, highest: ${fmt(any)}`);
  const sexy = Math.max(...[whole, ...portraits].map((c) => c.scores.Sexy));
  console.log(`  highest Sexy, whole or portrait crop: ${sexy.toFixed(3)}`);
}

console.log();
for (const [set, xs] of Object.entries(sets)) {
  const top = highest(xs);
  if (top) console.log(`highest ${set}: ${fmt(top)}`);
}
for (const t of CANDIDATES) {
  const counts = Object.entries(sets).map(
    ([set, xs]) => `${xs.filter((s) => s.explicit >= t).length}/${xs.length} ${set}`,
  );
  console.log(`threshold ${t} refuses ${counts.join(", ")}`);
}
