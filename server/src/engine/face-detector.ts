// Face location for framing only: Human's BlazeFace + FaceMesh models (from its npm package) find
// and count faces; MediaPipe's attention face landmark model then measures the subject's eyes. All
// on the wasm backend. It returns geometry — never an embedding or identity template.

import { createRequire } from "node:module";
import path from "node:path";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import { EngineError } from "./types";
import { level } from "./source-image";
import { headHeightOf } from "./framing";
import { tf, tfc, MODELS_DIR, WASM_DIR, fileUrl, registerFileLoader } from "./tfjs-runtime";

export interface Point {
  x: number;
  y: number;
}

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
  yawRadians: number;
  /** The other, smaller faces in the photo (people beside or behind the subject; `pickSubject`
   * refuses similar-sized ones): where they are, so their bodies can be kept out of the matte. */
  neighbours: Neighbour[];
}

/** Another person's face: the midpoint of the eye corners and the head height (`headHeightOf`). */
export interface Neighbour {
  eye: Point;
  headHeight: number;
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
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
  model: "facemesh-attention/facemesh-attention-pinto.json",
  input: 192,
  /** The crop's side per side of the mesh's bounding box, as MediaPipe crops for this model. */
  crop: 1.5,
  eyes: [
    { iris: "output_left_iris:0", contour: "output_left_eye:0" },
    { iris: "output_right_iris:0", contour: "output_right_eye:0" },
  ],
  corners: [0, 8],
};

/** Faces below this combined detector × mesh score are noise (the cat fixture scores 0). */
const MIN_SCORE = 0.4;
/** A second face at least this wide relative to the largest is a second person, not a poster. */
const SIMILAR_FACE_RATIO = 0.6;

// Human's bundle is CommonJS and its `exports` map has no subpath for the wasm build, so we
// resolve the file next to its main entry and require it by path.
const require = createRequire(import.meta.url);
const HUMAN_DIST = path.dirname(require.resolve("@vladmandic/human"));

interface HumanFace {
  score: number;
  box: [number, number, number, number];
  mesh: number[][];
  rotation?: { angle: { roll: number; yaw: number; pitch: number } } | null;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: unknown): Promise<{ face: HumanFace[]; error?: string | null }>;
}

export interface FaceDetector {
  /** The image's one face (`pickSubject`'s rules), its eyes measured by the attention model, and
   * where the other, smaller faces are. */
  subject(image: RgbImage): Promise<Face>;
}

export async function createFaceDetector(): Promise<FaceDetector> {
  registerFileLoader();
  const { Human } = require(path.join(HUMAN_DIST, "human.node-wasm.js")) as {
    Human: new (config: object) => HumanInstance;
  };
  const human = new Human({
    backend: "wasm",
    wasmPath: WASM_DIR,
    modelBasePath: fileUrl(path.join(HUMAN_DIST, "../models")) + "/",
    debug: false,
    warmup: "none",
    // Photos are unrelated stills: no frame-to-frame caching.
    cacheSensitivity: 0,
    face: {
      enabled: true,
      detector: {
        enabled: true,
        rotation: true,
        maxDetected: 6,
        minConfidence: 0.3,
        iouThreshold: 0.1,
        return: false,
        skipFrames: 0,
      },
      mesh: { enabled: true },
      // The attention model measures the subject's eyes, better than Iris on FaceMesh's crops.
      iris: { enabled: false },
      attention: { enabled: false },
      description: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  });
  await human.load();
  const attention = await tfc.loadGraphModel(fileUrl(path.join(MODELS_DIR, ATTENTION.model)));

  const detector: FaceDetector = {
    async subject(image) {
      const input = tf.tensor4d(image.data, [1, image.height, image.width, 3], "int32");
      let found: HumanFace[];
      try {
        const result = await human.detect(input);
        if (result.error) throw new EngineError("ENGINE_UNAVAILABLE", `face detection: ${result.error}`);
        found = result.face.filter((f) => f.score >= MIN_SCORE && f.mesh.length >= 468);
      } finally {
        input.dispose();
      }
      const index = pickSubject(found.map((f) => f.box[2]));
      const subject = found[index]!;
      const neighbours = found.filter((_, i) => i !== index).map(neighbour);
      return toFace(subject, measureEyes(attention, image, eyeCrop(subject)), neighbours);
    },
  };
  // A model's first inference builds its wasm kernels: paid here rather than on a photo for
  // BlazeFace (a blank image: NO_FACE) and the attention model; FaceMesh runs only on a face found.
  const blank = { data: new Uint8Array(256 * 256 * 3).fill(128), width: 256, height: 256 };
  await detector.subject(blank).catch((err: unknown) => {
    if (!(err instanceof EngineError && err.code === "NO_FACE")) throw err;
  });
  measureEyes(attention, blank, { x: 128, y: 128, side: 256, angle: 0 });
  return detector;
}

const midpoint = (p: Point, q: Point): Point => ({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 });

const meshPoint = (f: HumanFace, i: number): Point => ({ x: f.mesh[i]![0]!, y: f.mesh[i]![1]! });

/** A square crop of the image: centre, side and rotation (radians; 0 = upright). */
interface Crop {
  x: number;
  y: number;
  side: number;
  angle: number;
}

/** The attention model's crop for a face, as MediaPipe makes it from landmarks: turned upright
 * along the outer eye corners, around the mesh's extent in that frame, enlarged. */
function eyeCrop(f: HumanFace): Crop {
  const [a, b] = MESH.outerEyeCorners.map((i) => meshPoint(f, i)) as [Point, Point];
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  // The mesh's extent in the upright frame (u along the eye line, v down the face).
  const us = f.mesh.map((p) => p[0]! * cos + p[1]! * sin);
  const vs = f.mesh.map((p) => -p[0]! * sin + p[1]! * cos);
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
function measureEyes(model: GraphModel, image: RgbImage, crop: Crop): [Point, Point] {
  const n = ATTENTION.input;
  const k = crop.side / n;
  const [cos, sin] = [Math.cos(crop.angle), Math.sin(crop.angle)];
  /** Image point of a point in the model's n × n input. */
  const toImage = (x: number, y: number): Point => {
    const [dx, dy] = [(x - n / 2) * k, (y - n / 2) * k];
    return { x: crop.x + dx * cos - dy * sin, y: crop.y + dx * sin + dy * cos };
  };
  const pixels = level(image.data, image.width, image.height, n, n, (x, y) => {
    const p = toImage(x + 0.5, y + 0.5);
    return { x: p.x - 0.5, y: p.y - 0.5 };
  });
  const names = ATTENTION.eyes.flatMap((e) => [e.iris, e.contour]);
  const outputs = tf.tidy(() => {
    const input = tf.div(tf.tensor4d(pixels, [1, n, n, 3], "float32"), 255);
    return model.execute(input, names) as ReturnType<typeof tf.tensor>[];
  });
  try {
    const values = outputs.map((t) => t.dataSync());
    const point = (data: ArrayLike<number>, i: number) => toImage(data[2 * i]!, data[2 * i + 1]!);
    return ATTENTION.eyes.map((_, e) => {
      const [iris, contour] = [values[2 * e]!, values[2 * e + 1]!];
      const [c1, c2] = ATTENTION.corners.map((i) => point(contour, i)) as [Point, Point];
      return midpoint(point(iris, 0), midpoint(c1, c2));
    }) as [Point, Point];
  } finally {
    tf.dispose(outputs);
  }
}

function toFace(f: HumanFace, [a, b]: [Point, Point], neighbours: Neighbour[]): Face {
  const [x, y, width, height] = f.box;
  return {
    box: { x, y, width, height },
    leftEye: a.x <= b.x ? a : b,
    rightEye: a.x <= b.x ? b : a,
    chin: meshPoint(f, MESH.chin),
    skin: MESH.skin.map((i) => meshPoint(f, i)),
    yawRadians: f.rotation?.angle.yaw ?? 0,
    neighbours,
  };
}

/** Another face, located by FaceMesh alone (its eyes need no more precision than that). */
function neighbour(f: HumanFace): Neighbour {
  const eye = ([p, q]: readonly [number, number]) => midpoint(meshPoint(f, p), meshPoint(f, q));
  const [l, r] = [eye(MESH.eyeCorners[0]), eye(MESH.eyeCorners[1])];
  const chin = meshPoint(f, MESH.chin);
  return {
    eye: midpoint(l, r),
    headHeight: headHeightOf({ leftEye: l, rightEye: r, chin, yawRadians: f.rotation?.angle.yaw ?? 0 }),
  };
}

/**
 * Exactly one subject: no face → NO_FACE; a second face of similar size → MULTIPLE_FACES (we
 * never silently pick the largest of two people); much smaller faces (people beside or behind the
 * subject) are allowed and become `Face.neighbours`. Takes the faces' widths; returns the
 * subject's index.
 */
function pickSubject(widths: readonly number[]): number {
  const order = widths.map((_, i) => i).sort((p, q) => widths[q]! - widths[p]!);
  const [subject, second] = order;
  if (subject === undefined) throw new EngineError("NO_FACE");
  if (second !== undefined && widths[second]! >= SIMILAR_FACE_RATIO * widths[subject]!) {
    throw new EngineError(
      "MULTIPLE_FACES",
      `${widths.length} faces, second at ${(widths[second]! / widths[subject]!).toFixed(2)}× the first`,
    );
  }
  return subject;
}
