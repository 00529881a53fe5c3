// Face location for framing only: Human's BlazeFace + FaceMesh + Iris models (from its npm
// package) on the wasm backend. It returns geometry — never an embedding or identity template.

import { createRequire } from "node:module";
import path from "node:path";
import { EngineError } from "./types";
import { tf, WASM_DIR, fileUrl, registerFileLoader } from "./tfjs-runtime";

export interface Point {
  x: number;
  y: number;
}

export interface Face {
  /** Bounding box in the coordinates of the image given to `detect`. */
  box: { x: number; y: number; width: number; height: number };
  score: number;
  /** Eye centres (iris centre averaged with the midpoint of the eye corners, which do not move
   * with gaze); `leftEye` is the one further left in the image. */
  leftEye: Point;
  rightEye: Point;
  /** Mesh points for the chin tip and the top of the forehead. */
  chin: Point;
  forehead: Point;
  /** Patches of cheek and forehead skin, for the colour step. */
  skin: Point[];
  yawRadians: number;
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

// FaceMesh indices (canonical 468-point topology, +10 iris points).
const MESH = {
  chin: 152,
  forehead: 10,
  eyes: [
    // Human's refined mesh puts iris 468 on the eye with corners 362/263, and 473 on 33/133.
    { iris: 468, corners: [362, 263] },
    { iris: 473, corners: [33, 133] },
  ],
  skin: [50, 280, 151, 205, 425],
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
  detect(image: RgbImage): Promise<Face[]>;
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
      iris: { enabled: true },
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

  return {
    async detect(image) {
      const input = tf.tensor4d(image.data, [1, image.height, image.width, 3], "int32");
      try {
        const result = await human.detect(input);
        if (result.error) throw new EngineError("ENGINE_UNAVAILABLE", `face detection: ${result.error}`);
        return result.face.filter((f) => f.score >= MIN_SCORE && f.mesh.length >= 478).map(toFace);
      } finally {
        input.dispose();
      }
    },
  };
}

function toFace(f: HumanFace): Face {
  const pt = (i: number): Point => {
    const p = f.mesh[i]!;
    return { x: p[0]!, y: p[1]! };
  };
  const [a, b] = MESH.eyes.map(({ iris, corners: [c1, c2] }) => {
    const i = pt(iris);
    const p = pt(c1!);
    const q = pt(c2!);
    return { x: (2 * i.x + p.x + q.x) / 4, y: (2 * i.y + p.y + q.y) / 4 };
  }) as [Point, Point];
  const [x, y, width, height] = f.box;
  return {
    box: { x, y, width, height },
    score: f.score,
    leftEye: a.x <= b.x ? a : b,
    rightEye: a.x <= b.x ? b : a,
    chin: pt(MESH.chin),
    forehead: pt(MESH.forehead),
    skin: MESH.skin.map(pt),
    yawRadians: f.rotation?.angle.yaw ?? 0,
  };
}

/**
 * Exactly one subject: no face → NO_FACE; a second face of similar size → MULTIPLE_FACES (we
 * never silently pick the largest of two people); much smaller faces in the background are ignored.
 */
export function pickSubject(faces: Face[]): Face {
  const sorted = [...faces].sort((p, q) => q.box.width - p.box.width);
  const [subject, second] = sorted;
  if (!subject) throw new EngineError("NO_FACE");
  if (second && second.box.width >= SIMILAR_FACE_RATIO * subject.box.width) {
    throw new EngineError(
      "MULTIPLE_FACES",
      `${sorted.length} faces, second at ${(second.box.width / subject.box.width).toFixed(2)}× the first`,
    );
  }
  return subject;
}
