// Face location for framing only: MediaPipe's BlazeFace and FaceMesh find and count faces, then
// MediaPipe's attention face landmark model measures the subject's eyes; all three run by ONNX
// Runtime (onnx/model.ts). It returns geometry — never an embedding or identity template.

import { EngineError } from "./types";
import { headHeightOf, type Point, type RgbImage } from "./geometry";
import { level } from "./sampling";
import { MODELS } from "./models";
import { loadModel, type Model } from "./onnx/model";

export interface Face {
  /** Bounding box in the coordinates of the image given to `subject`. */
  box: { x: number; y: number; width: number; height: number };
  /** Eye centres (iris centre averaged with the midpoint of the eye corners, which do not move
   * with gaze); `leftEye` is the one further left in the image. */
  leftEye: Point;
  rightEye: Point;
  /** The mesh point at the chin's tip. */
  chin: Point;
  /** Patches of cheek and forehead skin, for the colour step. */
  skin: Point[];
  /** Each iris' centre and radius (the attention model's iris points), for red-eye removal. */
  irises: Iris[];
  yawRadians: number;
  /** The other, smaller faces in the photo (people beside or behind the subject; `pickSubject`
   * refuses similar-sized ones): where they are, so their bodies can be kept out of the matte. */
  neighbours: Neighbour[];
}

export interface Iris {
  centre: Point;
  radius: number;
}

/** Another person's face: the midpoint of the eye corners and the head height (`headHeightOf`). */
export interface Neighbour {
  eye: Point;
  headHeight: number;
}

// FaceMesh indices (canonical 468-point topology).
const MESH = {
  chin: 152,
  /** The outer corners of the eyes further left and right in a frontal photo. */
  outerEyeCorners: [33, 263] as const,
  /** Both corners of each eye: left, right. */
  eyeCorners: [
    [33, 133],
    [362, 263],
  ] as const,
  skin: [50, 280, 151, 205, 425],
};

/**
 * The attention model (MediaPipe's face landmarks with attention, as converted by PINTO0309;
 * `server/models/facemesh-attention`): on a 192² crop of the face it refines each eye's contour
 * (71 points, the corners at 0 and 8) and finds each iris (5 points, the centre first). FaceMesh
 * alone can put an eye on the shadow or make-up under it (hand-labelled fixtures, README).
 */
const ATTENTION = {
  input: 192,
  /** The crop's side per side of the mesh's bounding box, as MediaPipe crops for this model. */
  crop: 1.5,
  corners: [0, 8],
};

/** Faces below this FaceMesh confidence are noise (the cat fixture scores 0); faces above it count. */
const MIN_SCORE = 0.4;
/**
 * The subject is the largest face scoring this, unmistakably a face: every face of the fixtures
 * and nearly every one of the face-api group photos, upright or turned 20–25°, scores ≥ 0.99 (the
 * smallest faces of group photos down to 0.68); the cat turned −25° scores 0.58.
 */
const SUBJECT_MIN_SCORE = 0.8;
/** Another face at least this wide relative to the subject is a second person, not a poster. */
const SIMILAR_FACE_RATIO = 0.6;
/**
 * In the survey's closer view, a face BlazeFace scores this high counts as a neighbour even when
 * FaceMesh cannot measure it (below MIN_SCORE): a face half hidden behind a raised hand or cut by
 * the photo's edge (the evaluation set's oath photos: 0.61 and 0.65, FaceMesh 0.24 and 0.08). No
 * view of the set or the fixtures holds anything else scoring above 0.45. Such a face is located
 * from BlazeFace's box (PARTIAL_FACE_BOX).
 */
const PARTIAL_FACE_SCORE = 0.55;
/**
 * Where a face is from its FaceMesh crop (BlazeFace's box enlarged and squared): the eye midpoint
 * lies `eyeAbove` head heights above the crop's centre, and the crop's side is `side` head
 * heights (medians over the set's measured faces: 0.15 and 1.2, from 0.85 to 1.5).
 */
const PARTIAL_FACE_BOX = { eyeAbove: 0.15, side: 1.2 };

/**
 * MediaPipe BlazeFace, back-camera variant (256² input, 896 anchors: 2 per cell of a 16 × 16 grid,
 * then 6 per cell of an 8 × 8 grid). Each anchor's row: the box centre's offset and size, then
 * six keypoints (eyes, nose, mouth, ears), in input pixels. Decoded as Human 3.3.6 did (the
 * engine's detector until the eighth round) up to sub-pixel sampling, so faces are found and
 * counted as before.
 */
const BLAZEFACE = {
  input: 256,
  grids: [
    { stride: 16, perCell: 2 },
    { stride: 32, perCell: 6 },
  ],
  minScore: 0.3,
  iou: 0.1,
  maxFaces: 6,
  /** The FaceMesh crop: the box enlarged by this, squared. */
  enlarge: 1.4,
  /** Keypoints whose line (mouth → nose) points up the face. */
  mouth: 3,
  nose: 2,
};

/** MediaPipe FaceMesh (192² crop upright along BlazeFace's mouth → nose line): 468 points. */
const FACEMESH = {
  input: 192,
  /** Faces turned less than this (radians) are cropped without turning, as Human did. */
  minTurn: 0.2,
};

/** A face found by BlazeFace and measured by FaceMesh, in the detection image's pixels. */
interface MeshFace {
  score: number;
  /** The FaceMesh crop's square around the mesh's centre, clamped to the image. */
  box: { x: number; y: number; width: number; height: number };
  /** 468 points; z is FaceMesh's depth in crop pixels. */
  mesh: { x: number; y: number; z: number }[];
  yawRadians: number;
}

export interface FaceDetector {
  /** The image's one face (`pickSubject`'s rules), its eyes measured by the attention model, and
   * where the other, smaller faces are. */
  subject(image: RgbImage): Promise<Face>;
  /** Every face in the image but those BlazeFace finds at `known` (faces already measured),
   * located as a neighbour is (the survey's closer view finds people the whole photo showed too
   * small or too cut to count), and faces BlazeFace is sure of that FaceMesh cannot measure (half
   * hidden), located from BlazeFace's box. */
  faces(image: RgbImage, known?: readonly Neighbour[]): Promise<Neighbour[]>;
}

export async function createFaceDetector(): Promise<FaceDetector> {
  const [blazeface, facemesh, attention] = await Promise.all([
    loadModel(MODELS.blazeface),
    loadModel(MODELS.facemesh),
    loadModel(MODELS.attention),
  ]);
  const anchors = blazefaceAnchors();

  /** Each face BlazeFace finds away from the `known` ones, measured by FaceMesh; `partial` is
   * called with those FaceMesh cannot measure. */
  const meshFaces = async (
    image: RgbImage,
    known: readonly Neighbour[] = [],
    partial?: (crop: Crop) => void,
  ) => {
    const found: MeshFace[] = [];
    for (const candidate of await detectFaces(blazeface, anchors, image)) {
      const seen = known.some(
        (k) => Math.hypot(candidate.x - k.eye.x, candidate.y - k.eye.y) < 0.5 * k.headHeight,
      );
      if (seen) continue;
      const face = await meshFace(facemesh, image, candidate);
      if (face.score >= MIN_SCORE) found.push(face);
      else if (candidate.score >= PARTIAL_FACE_SCORE) partial?.(candidate);
    }
    return found;
  };
  const detector: FaceDetector = {
    async faces(image, known) {
      const partial: Neighbour[] = [];
      const measured = await meshFaces(image, known, (crop) => partial.push(partialNeighbour(crop)));
      return [...measured.map(neighbour), ...partial];
    },
    async subject(image) {
      const found = await meshFaces(image);
      const index = pickSubject(found);
      const subject = found[index]!;
      const neighbours = found.filter((_, i) => i !== index).map(neighbour);
      return toFace(subject, await measureEyes(attention, image, eyeCrop(subject)), neighbours);
    },
  };
  // A model's first inference plans its kernels: paid here rather than on a photo.
  const blank = { data: new Uint8Array(256 * 256 * 3).fill(128), width: 256, height: 256 };
  await detector.subject(blank).catch((err: unknown) => {
    if (!(err instanceof EngineError && err.code === "NO_FACE")) throw err;
  });
  await meshFace(facemesh, blank, { x: 128, y: 128, side: 128, angle: 0 });
  await measureEyes(attention, blank, { x: 128, y: 128, side: 256, angle: 0 });
  return detector;
}

/** Anchor centres in input pixels, in the order of the model's rows. */
function blazefaceAnchors(): Point[] {
  const anchors: Point[] = [];
  for (const { stride, perCell } of BLAZEFACE.grids) {
    const cells = Math.ceil(BLAZEFACE.input / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < perCell; n++) anchors.push({ x: stride * (gx + 0.5), y: stride * (gy + 0.5) });
      }
    }
  }
  return anchors;
}

interface Candidate {
  score: number;
  /** Corners in the model's input pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Row of the model's output (offset, size, keypoints). */
  row: Float32Array;
  anchor: Point;
}

const iou = (a: Candidate, b: Candidate) => {
  const w = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const h = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const area = (c: Candidate) => (c.x1 - c.x0) * (c.y1 - c.y0);
  return (w * h) / (area(a) + area(b) - w * h);
};

/**
 * BlazeFace on the whole image (stretched to 256², as Human fed it): the FaceMesh crop of each
 * face found, after non-maximum suppression.
 */
async function detectFaces(model: Model, anchors: Point[], image: RgbImage): Promise<Found[]> {
  const n = BLAZEFACE.input;
  const [sx, sy] = [image.width / n, image.height / n];
  const pixels = level(image.data, image.width, image.height, n, n, (x, y) => ({
    x: (x + 0.5) * sx - 0.5,
    y: (y + 0.5) * sy - 0.5,
  }));
  // In the order of MODELS.blazeface.outputs.
  const [scores16, rows16, scores32, rows32] = (await model.run(pixels)) as Float32Array[];
  const candidates: Candidate[] = [];
  let a = 0;
  for (const [scores, rows] of [
    [scores16!, rows16!],
    [scores32!, rows32!],
  ] as const) {
    for (let i = 0; i < scores.length; i++, a++) {
      const score = 1 / (1 + Math.exp(-scores[i]!));
      if (score <= BLAZEFACE.minScore) continue;
      const row = rows.subarray(16 * i, 16 * i + 16);
      const anchor = anchors[a]!;
      const [cx, cy, w, h] = [row[0]! + anchor.x, row[1]! + anchor.y, row[2]!, row[3]!];
      candidates.push({ score, x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2, row, anchor });
    }
  }
  candidates.sort((p, q) => q.score - p.score);
  const kept: Candidate[] = [];
  for (const c of candidates) {
    if (kept.length === BLAZEFACE.maxFaces) break;
    if (kept.every((k) => iou(k, c) <= BLAZEFACE.iou)) kept.push(c);
  }
  return kept.map((c) => {
    const keypoint = (k: number): Point => ({
      x: (c.row[4 + 2 * k]! + c.anchor.x) * sx,
      y: (c.row[5 + 2 * k]! + c.anchor.y) * sy,
    });
    const [mouth, nose] = [keypoint(BLAZEFACE.mouth), keypoint(BLAZEFACE.nose)];
    // Square, enlarged, on whole pixels (Human's squarifyBox).
    const half = (BLAZEFACE.enlarge * Math.max((c.x1 - c.x0) * sx, (c.y1 - c.y0) * sy)) / 2;
    const [cx, cy] = [((c.x0 + c.x1) / 2) * sx, ((c.y0 + c.y1) / 2) * sy];
    const [x0, y0, x1] = [Math.round(cx - half), Math.round(cy - half), Math.round(cx + half)];
    const side = x1 - x0;
    const angle = Math.atan2(nose.x - mouth.x, mouth.y - nose.y);
    return {
      x: x0 + side / 2,
      y: y0 + side / 2,
      side,
      angle: Math.abs(angle) > FACEMESH.minTurn ? angle : 0,
      score: c.score,
    };
  });
}

/** FaceMesh on a crop: the face's score, mesh, box and yaw in the image's pixels. */
async function meshFace(model: Model, image: RgbImage, crop: Crop): Promise<MeshFace> {
  const { pixels, toImage } = sampleCrop(image, crop, FACEMESH.input);
  const [confidence, raw] = await model.run(pixels);
  const mesh = [];
  for (let i = 0; i < raw!.length; i += 3) mesh.push({ ...toImage(raw![i]!, raw![i + 1]!), z: raw![i + 2]! });
  const xs = mesh.map((p) => p.x);
  const ys = mesh.map((p) => p.y);
  // The crop's square moved onto the mesh's centre, clamped to the image (Human's face box).
  const [cx, cy] = [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  const [x0, y0] = [Math.max(0, cx - crop.side / 2), Math.max(0, cy - crop.side / 2)];
  const [x1, y1] = [Math.min(image.width, cx + crop.side / 2), Math.min(image.height, cy + crop.side / 2)];
  return {
    score: confidence![0]!,
    box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    mesh,
    yawRadians: yawOf(mesh, crop.side),
  };
}

/**
 * The head's yaw from the mesh's forehead–chin and cheek–cheek axes, as Human computes it (x and
 * y in units of the crop's side / 1.5, z as FaceMesh's depth over its input size).
 */
function yawOf(mesh: MeshFace["mesh"], side: number): number {
  type V = [number, number, number];
  const unit = side / 1.5;
  const at = (i: number): V => [mesh[i]!.x / unit, mesh[i]!.y / unit, mesh[i]!.z / FACEMESH.input];
  const sub = (a: V, b: V): V => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const cross = (a: V, b: V): V => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ];
  const normal = (v: V): V => {
    const l = Math.hypot(...v);
    return [v[0] / l, v[1] / l, v[2] / l];
  };
  const y = normal(sub(at(152), at(10)));
  const z = normal(cross(normal(sub(at(454), at(234))), y));
  const x = cross(y, z);
  if (Math.abs(y[0]) >= 1) return 0;
  return -Math.atan2(-z[0], x[0]) || 0;
}

const midpoint = (p: Point, q: Point): Point => ({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 });

const meshPoint = (f: MeshFace, i: number): Point => ({ x: f.mesh[i]!.x, y: f.mesh[i]!.y });

/** A square crop of the image: centre, side and rotation (radians; 0 = upright). */
interface Crop {
  x: number;
  y: number;
  side: number;
  angle: number;
}

/** A crop BlazeFace found, with its score. */
interface Found extends Crop {
  score: number;
}

/**
 * The crop resampled to n × n pixels (bilinear; past the image's edge its edge pixels repeat, where
 * Human filled black — faces crossing the edge measured alike), and the map from a point of it
 * back to the image.
 */
function sampleCrop(image: RgbImage, crop: Crop, n: number) {
  const k = crop.side / n;
  const [cos, sin] = [Math.cos(crop.angle), Math.sin(crop.angle)];
  const toImage = (x: number, y: number): Point => {
    const [dx, dy] = [(x - n / 2) * k, (y - n / 2) * k];
    return { x: crop.x + dx * cos - dy * sin, y: crop.y + dx * sin + dy * cos };
  };
  const pixels = level(image.data, image.width, image.height, n, n, (x, y) => {
    const p = toImage(x + 0.5, y + 0.5);
    return { x: p.x - 0.5, y: p.y - 0.5 };
  });
  return { pixels, toImage };
}

/** The attention model's crop for a face, as MediaPipe makes it from landmarks: turned upright
 * along the outer eye corners, around the mesh's extent in that frame, enlarged. */
function eyeCrop(f: MeshFace): Crop {
  const [a, b] = MESH.outerEyeCorners.map((i) => meshPoint(f, i)) as [Point, Point];
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  // The mesh's extent in the upright frame (u along the eye line, v down the face).
  const us = f.mesh.map((p) => p.x * cos + p.y * sin);
  const vs = f.mesh.map((p) => -p.x * sin + p.y * cos);
  const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
  const [u, v] = [(u0 + u1) / 2, (v0 + v1) / 2];
  return {
    x: u * cos - v * sin,
    y: u * sin + v * cos,
    side: ATTENTION.crop * Math.max(u1 - u0, v1 - v0, 1),
    angle,
  };
}

/**
 * Both eyes' centres by the attention model on `crop` of the image: each iris centre averaged with
 * the midpoint of its eye's corners (which don't move with gaze).
 */
async function measureEyes(model: Model, image: RgbImage, crop: Crop): Promise<Eyes> {
  const { pixels, toImage } = sampleCrop(image, crop, ATTENTION.input);
  const [leftIris, leftContour, rightIris, rightContour] = (await model.run(pixels)) as Float32Array[];
  const point = (data: Float32Array, i: number) => toImage(data[2 * i]!, data[2 * i + 1]!);
  const eye = (iris: Float32Array, contour: Float32Array) => {
    const [c1, c2] = ATTENTION.corners.map((i) => point(contour, i)) as [Point, Point];
    return midpoint(point(iris, 0), midpoint(c1, c2));
  };
  // The iris' radius: the mean distance of its four rim points from its centre.
  const iris = (data: Float32Array): Iris => {
    const centre = point(data, 0);
    const rim = [1, 2, 3, 4].map((i) => point(data, i));
    return {
      centre,
      radius: rim.reduce((sum, p) => sum + Math.hypot(p.x - centre.x, p.y - centre.y), 0) / 4,
    };
  };
  return {
    centres: [eye(leftIris!, leftContour!), eye(rightIris!, rightContour!)],
    irises: [iris(leftIris!), iris(rightIris!)],
  };
}

/** Both eyes' centres, and both irises. */
interface Eyes {
  centres: [Point, Point];
  irises: [Iris, Iris];
}

function toFace(f: MeshFace, { centres: [a, b], irises }: Eyes, neighbours: Neighbour[]): Face {
  return {
    irises,
    box: f.box,
    leftEye: a.x <= b.x ? a : b,
    rightEye: a.x <= b.x ? b : a,
    chin: meshPoint(f, MESH.chin),
    skin: MESH.skin.map((i) => meshPoint(f, i)),
    yawRadians: f.yawRadians,
    neighbours,
  };
}

/** Another face, located by FaceMesh alone (its eyes need no more precision than that). */
/** A neighbour located from BlazeFace's crop alone (PARTIAL_FACE_BOX), upright. */
function partialNeighbour(crop: Crop): Neighbour {
  const headHeight = crop.side / PARTIAL_FACE_BOX.side;
  return { eye: { x: crop.x, y: crop.y - PARTIAL_FACE_BOX.eyeAbove * headHeight }, headHeight };
}

function neighbour(f: MeshFace): Neighbour {
  const eye = ([p, q]: readonly [number, number]) => midpoint(meshPoint(f, p), meshPoint(f, q));
  const [l, r] = [eye(MESH.eyeCorners[0]), eye(MESH.eyeCorners[1])];
  const chin = meshPoint(f, MESH.chin);
  return {
    eye: midpoint(l, r),
    headHeight: headHeightOf({ leftEye: l, rightEye: r, chin, yawRadians: f.yawRadians }),
  };
}

/**
 * Exactly one subject, the largest face scoring SUBJECT_MIN_SCORE: none → NO_FACE; another face
 * of similar size → MULTIPLE_FACES (we never silently pick the largest of two people); much
 * smaller faces (people beside or behind the subject) are allowed and become `Face.neighbours`.
 * Returns the subject's index.
 */
export function pickSubject(faces: readonly Pick<MeshFace, "score" | "box">[]): number {
  const width = (i: number) => faces[i]!.box.width;
  const order = faces.map((_, i) => i).sort((p, q) => width(q) - width(p));
  const subject = order.find((i) => faces[i]!.score >= SUBJECT_MIN_SCORE);
  if (subject === undefined) throw new EngineError("NO_FACE");
  const rival = order.find((i) => i !== subject && width(i) >= SIMILAR_FACE_RATIO * width(subject));
  if (rival !== undefined) {
    throw new EngineError(
      "MULTIPLE_FACES",
      `${faces.length} faces, another at ${(width(rival) / width(subject)).toFixed(2)}× the subject's width`,
    );
  }
  return subject;
}
