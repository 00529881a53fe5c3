// The studio pipeline (SPEC §7.2 steps 1–7) in the calling thread: models are loaded once by
// `createStudioPipeline`, then `run` turns one photo into every requested style × aspect.

import sharp from "sharp";
import { ASPECTS, styleById, type Aspect, type Style, type StyleId } from "@headshot/shared";
import { createFaceDetector, type Face, type FaceDetector, type Neighbour } from "./face-detector";
import { canvasToSource, headHeightOf, sourceToCanvas, type CanvasMap, type Point } from "./geometry";
import { boxBlur } from "./filters";
import { createSegmenter, SEGMENT_SIZE, type Segmenter } from "./segmenter";
import {
  eyeMidpoint,
  eyeRoll,
  frameHeadshot,
  UPSCALE_FLAG,
  type Framing,
  type SubjectReach,
} from "./framing";
import { bodyRoll, subjectReach, surveyMap } from "./survey";
import { createSafetyClassifier, type SafetyClassifier } from "./safety";
import {
  assertResolution,
  canvasPreview,
  detectionCopy,
  framePreview,
  levelFromCopy,
  type DetectionCopy,
  type FramedCanvas,
  openSource,
  renderCanvas,
} from "./source-image";
import {
  applySubjectPrior,
  canvasGuide,
  computeMatte,
  gridSize,
  matteGrid,
  previewGuide,
  type GuidePlanes,
  type MatteGrid,
  type SubjectPrior,
} from "./matte";
import { faceExposure, sampleSkin, subjectHighlight, whiteBalanceGains, type Gains } from "./colour/light";
import { evenSkinCast, faceSkin, smoothSkin } from "./colour/face-skin";
import { removeRedEye } from "./colour/red-eye";
import type { SmallPlane } from "./render";
import { ScratchPool, type Scratch } from "./scratch";
import {
  EngineError,
  type EngineImage,
  type EngineRequest,
  type EngineResult,
  type PreparedPhoto,
  type PrepareRequest,
  type Stage,
} from "./types";

const JPEG_QUALITY = 88;
const THUMBNAIL_QUALITY = 80;

export interface StudioPipeline {
  run(req: EngineRequest): Promise<EngineResult>;
  /** The input checks alone, and the photo downscaled for a generative provider. */
  prepare(req: PrepareRequest): Promise<PreparedPhoto>;
  /** `run`, also returning what the engine saw and decided, for the quality report. */
  inspect(req: EngineRequest): Promise<EngineResult & { inspection: Inspection }>;
}

/** The subject's face (photo pixels), the frame, and the matte over the canvas. */
export interface Inspection {
  face: Face;
  framing: Framing;
  alpha: Float32Array;
}

/** The models a pipeline runs. Each is loaded (and warmed up) unless given: tests hand in their
 * own, e.g. a detector that records its calls. */
export interface PipelineModels {
  safety: SafetyClassifier;
  detector: FaceDetector;
  segmenter: Segmenter;
}

export async function createStudioPipeline(given: Partial<PipelineModels> = {}): Promise<StudioPipeline> {
  const models: PipelineModels = {
    safety: given.safety ?? (await createSafetyClassifier()),
    detector: given.detector ?? (await createFaceDetector()),
    segmenter: given.segmenter ?? (await createSegmenter()),
  };
  const scratch = new ScratchPool();
  const withScratch = async <T>(use: (s: Scratch) => Promise<T>): Promise<T> => {
    const s = scratch.take();
    try {
      return await use(s);
    } finally {
      scratch.give(s);
    }
  };
  return {
    run: (req) => withScratch((s) => runPipeline(req, models, s)),
    prepare: (req) => preparePhoto(req, models),
    inspect: (req) =>
      withScratch(async (s) => {
        let inspection: Inspection | undefined;
        const result = await runPipeline(req, models, s, (seen) => (inspection = seen));
        return { ...result, inspection: inspection! };
      }),
  };
}

/** The long side of the photo a generative provider gets (SPEC §7.3). */
export const PROVIDER_PHOTO_SIDE = 1536;

async function preparePhoto(
  req: PrepareRequest,
  { safety, detector }: PipelineModels,
): Promise<PreparedPhoto> {
  const src = await openSource(req.photo);
  const small = await detectionCopy(src);
  await safety.assertSafe(small);
  if (req.signal?.aborted) throw new EngineError("CANCELED");
  await detector.subject(small); // NO_FACE, MULTIPLE_FACES: no GPU time for a photo we'd refuse
  assertResolution(src);
  const side = PROVIDER_PHOTO_SIDE;
  const { data, info } = await src
    .open()
    .resize({ width: side, height: side, fit: "inside", withoutEnlargement: true })
    .removeAlpha()
    .toColourspace("srgb")
    .jpeg({ quality: JPEG_QUALITY, mozjpeg: false }) // sharp writes no metadata unless asked
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

async function runPipeline(
  req: EngineRequest,
  { safety, detector, segmenter }: PipelineModels,
  scratch: Scratch,
  inspect?: (seen: Inspection) => void,
): Promise<EngineResult> {
  const started = performance.now();
  const stageMs: Partial<Record<Stage, number>> = {};
  let current: Stage | undefined;
  let mark = started;
  const step = (stage: Stage, progress: number) => {
    if (req.signal?.aborted) throw new EngineError("CANCELED");
    const now = performance.now();
    if (current) stageMs[current] = Math.round((stageMs[current] ?? 0) + now - mark);
    current = stage;
    mark = now;
    req.onProgress?.(stage, progress);
  };
  if (req.styles.length === 0 || req.aspects.length === 0)
    throw new Error("request needs at least one style and one aspect");
  const styles = req.styles.map(styleById);
  const aspects = [...new Set(req.aspects)];

  step("validating", 0);
  const src = await openSource(req.photo);

  step("detecting", 0.1);
  const small = await detectionCopy(src);
  // An explicit photo goes no further (SPEC §6.1): no face is looked for in it.
  await safety.assertSafe(small);
  const face = scaleFace(await detector.subject(small), small.factor);
  assertResolution(src);

  step("framing", 0.3);
  // Most photos hold the whole head and shoulders and get the frame their face and body ask for:
  // as soon as the survey knows the body's axis, libvips starts rendering that canvas on its
  // threads while this thread finishes the survey. When the survey calls for another frame (the
  // photo's edges cut the subject), that one is rendered into fresh buffers instead.
  let speculative: { framing: Framing; rendering: Promise<FramedCanvas> } | undefined;
  let early: Promise<{ grid: MatteGrid; guide: GuidePlanes }> | null = null;
  let framing: Framing;
  let prior: SubjectPrior;
  let canvas: FramedCanvas;
  try {
    const survey = await surveySubject(small, src, face, detector, segmenter, (bodyRoll) => {
      const hoped = frameHeadshot(face, aspects, { cuts: [], presence: () => 1, bodyRoll });
      speculative = { framing: hoped, rendering: renderCanvas(src, hoped, scratch) };
      speculative.rendering.catch(() => undefined); // awaited below
    });
    face.neighbours.push(...survey.neighbours);
    framing = frameHeadshot(face, aspects, survey.reach);
    const { width: cw, height: ch } = framing.canvas;
    prior = priorOn(framing, face, framing.bodyRoll);
    // libvips renders the canvas on its threads while this thread segments a preview of the frame
    // and works out the matte's low-resolution half, both levelled from the detection copy.
    const rendering =
      speculative && sameCanvas(speculative.framing, framing)
        ? speculative.rendering
        : renderCanvas(src, framing);
    rendering.catch(() => undefined);
    const preview = framePreview(small, framing, SEGMENT_SIZE, SEGMENT_SIZE);
    // The grid is as wide as the preview (both 256 for a 1024-wide canvas): both or neither exist.
    const { width: gw, height: gh } = gridSize(cw, ch);
    const copyGuide = framePreview(small, framing, gw, gh);
    const p = prior;
    early =
      preview && copyGuide
        ? segmenter.segment(preview).then((coarse) => {
            const guide = previewGuide(copyGuide);
            return { grid: matteGrid(guide, coarse, cw, ch, p), guide };
          })
        : null;
    early?.catch(() => undefined); // awaited below, as the rendering is
    canvas = await rendering;
  } finally {
    // The speculative canvas writes into this job's scratch buffers, and a model runs one job at
    // a time: whatever happened, neither may outlive this job.
    await speculative?.rendering.catch(() => undefined);
    if (!canvas!) await early?.catch(() => undefined);
  }
  const { width: cw, height: ch, eyeX, eyeY } = framing.canvas;

  step("segmenting", 0.45);
  // The guide the grid was computed against also gives the colour model its uniform blocks'
  // colours (block means, blurred over five blocks: the detection copy's are as good).
  const { grid, guide } = await (early ??
    segmenter.segment(await canvasPreview(canvas, SEGMENT_SIZE)).then((coarse) => {
      const guide = canvasGuide(canvas);
      return { grid: matteGrid(guide, coarse, cw, ch, prior), guide };
    }));
  // The matte goes straight into the renderer's kernel memory, where the layers are built from it.
  const renderer = scratch.renderer(cw, ch);
  const matte = computeMatte(canvas, grid, {
    eye: { x: eyeX, y: eyeY },
    head: framing.headHeight,
    guide,
    into: { alpha: renderer.alpha.view, foreground: renderer.foreground.view },
  });

  inspect?.({ face, framing, alpha: matte.alpha.slice() });

  step("rendering", 0.6);
  const { width: w, height: h } = canvas;
  const toCanvas = (p: Point) => sourceToCanvas(framing, p);
  const faceWidth = face.box.width * framing.scale;
  // Skin points on the subject only: a cheek point of a face turned aside can fall past its edge.
  const onSubject = (q: Point) => {
    const [x, y] = [Math.round(q.x), Math.round(q.y)];
    return x >= 0 && y >= 0 && x < w && y < h && matte.alpha[y * w + x]! >= 0.9;
  };
  const skin = sampleSkin(canvas.rgb, w, h, face.skin.map(toCanvas).filter(onSubject), faceWidth * 0.04);
  const gains = whiteBalanceGains(canvas.rgb, skin);
  const fg = matte.foreground;
  const centre = toCanvas({ x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 });
  const faceEllipse = {
    cx: centre.x,
    cy: centre.y,
    rx: faceWidth * 0.55,
    ry: face.box.height * framing.scale * 0.65,
  };
  removeRedEye(
    fg,
    w,
    h,
    face.irises.map((iris) => ({ centre: toCanvas(iris.centre), radius: iris.radius * framing.scale })),
  );
  const skinOfFace = faceSkin(fg, matte.alpha, w, h, faceEllipse);
  if (skinOfFace) {
    evenSkinCast(fg, skinOfFace);
    smoothSkin(fg, w, skinOfFace);
  }
  const faceColour: Gains | null = skin && [skin[0] * gains[0], skin[1] * gains[1], skin[2] * gains[2]];
  const highlight = subjectHighlight(fg, matte.alpha, gains);
  const exposureFor = (style: Style) => (faceColour ? faceExposure(faceColour, highlight, style) : 1);
  const light = { cx: framing.canvas.eyeX, cy: framing.canvas.eyeY, radius: 0.85 * Math.max(w, h) };
  const shadow = contactShadow(matte.alphaSmall, matte.smallWidth, matte.smallHeight);
  // Only the rows the requested windows show are built and rendered (1:1 alone skips 20 %).
  const wins = aspects.map((a) => framing.windows[a]);
  const rows = {
    y0: Math.max(0, Math.min(...wins.map((v) => v.top))),
    y1: Math.min(h, Math.max(...wins.map((v) => v.top + v.height))),
  };
  renderer.build(gains, shadow, light, rows);

  // Encoding (libvips threads) overlaps rendering (this thread): a style renders into the next
  // free output slot, waiting only if that slot's previous style is still being encoded.
  const encodes: Promise<EngineImage>[] = [];
  const inFlight: Promise<unknown>[] = [];
  for (const [n, style] of styles.entries()) {
    const slot = n % renderer.slots;
    await inFlight[slot];
    const rgb = renderer.render(style, rows, slot, exposureFor(style));
    const done = aspects.map((aspect) => {
      const win = framing.windows[aspect];
      return encode(rgb, w, win.top, renderer.quarter(slot, win.top, win.height), aspect, style.id);
    });
    encodes.push(...done);
    inFlight[slot] = Promise.all(done).catch(() => undefined);
    step("rendering", 0.6 + (0.35 * (n + 1)) / styles.length);
  }
  const images = await Promise.all(encodes);
  step("rendering", 1);
  return {
    images,
    metadata: {
      sourceWidth: src.width,
      sourceHeight: src.height,
      upscale: round(framing.scale, 3),
      upscaled: framing.scale > UPSCALE_FLAG,
      rollDegrees: round((framing.roll * 180) / Math.PI, 2),
      tiltDegrees: round((framing.tilt * 180) / Math.PI, 2),
      padded: canvas.padded,
      whiteBalance: [round(gains[0], 3), round(gains[1], 3), round(gains[2], 3)],
      durationMs: Math.round(performance.now() - started),
      stageMs,
    },
  };
}

/** Where the photo cuts the subject, where they are and which way their body runs: Selfie on
 * the survey's wide view around the face, under the subject prior (`onBody` hears the body's axis
 * as soon as it is known). The view also shows people
 * beside the subject whom the whole photo showed too small or too cut to find: they are returned
 * as further neighbours. */
async function surveySubject(
  small: DetectionCopy,
  photo: { width: number; height: number },
  face: Face,
  detector: FaceDetector,
  segmenter: Segmenter,
  onBody: (bodyRoll: number | null) => void,
): Promise<{ reach: SubjectReach; neighbours: Neighbour[] }> {
  const head = headHeightOf(face);
  const eye = eyeMidpoint(face);
  const map = surveyMap(eye, eyeRoll(face), head);
  const view = levelFromCopy(small, map, SEGMENT_SIZE, SEGMENT_SIZE);
  const mask = await segmenter.segment(view);
  const body = bodyRoll(mask, map, photo, head);
  onBody(body);
  // Faces already measured, on the view: BlazeFace finds them again, FaceMesh need not.
  const known = [{ eye, headHeight: head }, ...face.neighbours].map((k) => ({
    eye: sourceToCanvas(map, k.eye),
    headHeight: k.headHeight * map.scale,
  }));
  const neighbours = (
    await detector.faces({ data: view, width: SEGMENT_SIZE, height: SEGMENT_SIZE }, known)
  ).map((n) => ({ eye: canvasToSource(map, n.eye.x, n.eye.y), headHeight: n.headHeight / map.scale }));
  applySubjectPrior(
    mask,
    SEGMENT_SIZE,
    SEGMENT_SIZE,
    1,
    priorOn(map, { ...face, neighbours: [...face.neighbours, ...neighbours] }, body),
  );
  return { reach: subjectReach(mask, map, photo, body), neighbours };
}

/** Whether two frames cut the same canvas from the photo. */
function sameCanvas(a: Framing, b: Framing): boolean {
  const [p, q] = [a.canvas, b.canvas];
  return (
    a.scale === b.scale &&
    a.roll === b.roll &&
    a.eye.x === b.eye.x &&
    a.eye.y === b.eye.y &&
    p.width === q.width &&
    p.height === q.height &&
    p.eyeX === q.eyeX &&
    p.eyeY === q.eyeY
  );
}

/** The subject prior for a canvas mapped from the photo: the subject's and each neighbour's eyes
 * and head height in canvas pixels. */
function priorOn(map: CanvasMap, face: Face, body: number | null): SubjectPrior {
  const eye = sourceToCanvas(map, eyeMidpoint(face));
  return {
    eyeX: eye.x,
    eyeY: eye.y,
    head: headHeightOf(face) * map.scale,
    lean: body === null ? 0 : body - map.roll,
    neighbours: face.neighbours.map((n) => {
      const at = sourceToCanvas(map, n.eye);
      return { eyeX: at.x, eyeY: at.y, head: n.headHeight * map.scale };
    }),
  };
}

function scaleFace(f: Face, k: number): Face {
  const p = (q: Point): Point => ({ x: q.x * k, y: q.y * k });
  return {
    ...f,
    box: { x: f.box.x * k, y: f.box.y * k, width: f.box.width * k, height: f.box.height * k },
    leftEye: p(f.leftEye),
    rightEye: p(f.rightEye),
    chin: p(f.chin),
    skin: f.skin.map(p),
    irises: f.irises.map((iris) => ({ centre: p(iris.centre), radius: iris.radius * k })),
    neighbours: f.neighbours.map((n) => ({ eye: p(n.eye), headHeight: n.headHeight * k })),
  };
}

/** The subject's matte (block means), blurred and dropped slightly down and right, as a key
 * light would; upsampled where it is used. */
function contactShadow(small: Float32Array, hw: number, hh: number): SmallPlane {
  const blurred = boxBlur(boxBlur(small, hw, hh, 6), hw, hh, 6);
  const shifted = new Float32Array(hw * hh);
  const ox = 3;
  const oy = 4;
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++)
      shifted[y * hw + x] = blurred[Math.max(0, y - oy) * hw + Math.max(0, x - ox)]!;
  }
  return { data: shifted, width: hw, height: hh };
}

/** The output JPEG of one window (rows from `top`, the canvas' full width) and its thumbnail
 * from the quarter-size pixels. */
async function encode(
  rgb: Uint8Array,
  canvasWidth: number,
  top: number,
  quarter: Uint8Array,
  aspect: Aspect,
  style: StyleId,
): Promise<EngineImage> {
  const { width, height } = ASPECTS[aspect];
  const start = top * canvasWidth * 3;
  const pixels = rgb.subarray(start, start + width * height * 3);
  const thumb = { width: width / 4, height: height / 4 };
  const [data, thumbnail] = await Promise.all([
    sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: JPEG_QUALITY, mozjpeg: false })
      .toBuffer(),
    sharp(quarter, { raw: { ...thumb, channels: 3 } })
      .jpeg({ quality: THUMBNAIL_QUALITY, mozjpeg: false })
      .toBuffer(),
  ]);
  return {
    style,
    aspect,
    width,
    height,
    mimeType: "image/jpeg",
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    thumbnail: {
      ...thumb,
      mimeType: "image/jpeg",
      data: new Uint8Array(thumbnail.buffer, thumbnail.byteOffset, thumbnail.length),
    },
  };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
