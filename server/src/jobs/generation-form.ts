// The generation form of POST /v1/headshots (SPEC §4): multipart/form-data parsed while it streams
// by @fastify/busboy, under limits that refuse the moment one is passed — one file part (`photo`,
// at most MAX_UPLOAD_MB), a few short fields, bounded part headers — so a body of 100,000 empty
// parts costs the parsing of its first chunk, not seconds of a blocked event loop. The body is
// read against a deadline and a minimum rate (paced-body.ts). The photo stays in memory.
import { Busboy } from "@fastify/busboy";
import {
  ASPECT_IDS,
  ATTIRE_IDS,
  DEFAULT_ATTIRE,
  ENGINE_IDS,
  STYLE_IDS,
  type Aspect,
  type Attire,
  type EngineId,
  type StyleId,
} from "@headshot/shared";
import { HAND_OVER_SPARE_BYTES } from "../engine/types";
import { ApiError } from "../http/api-error";
import { readPacedBody, type BodyPace } from "../http/paced-body";

export interface GenerationInput {
  photo: Uint8Array;
  styles: StyleId[];
  aspects: Aspect[];
  engine: EngineId;
  /** Generative only (absent on studio): the attire asked for, `business` by default. */
  attire: Attire | undefined;
}

/** Part headers and field values are short; busboy truncates part headers past these. */
const LIMITS = {
  files: 1,
  // styles (up to six, repeated), aspects (up to two), and room for a few more choices.
  fields: 12,
  parts: 13,
  fieldSize: 512,
  headerPairs: 8,
  headerSize: 4096,
};
/** Boundaries, part headers and fields around the photo. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export async function readGenerationForm(
  request: Request,
  limits: { maxPhotoBytes: number; pace: BodyPace },
): Promise<GenerationInput> {
  const { maxPhotoBytes } = limits;
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new ApiError("BAD_REQUEST", "Send the photo as multipart/form-data with a `photo` field.");
  }
  const maxBody = maxPhotoBytes + FORM_OVERHEAD_BYTES;
  const declared = Number(request.headers.get("Content-Length")) || 0;
  if (declared > maxBody) throw tooLarge(maxPhotoBytes);
  if (!request.body) throw new ApiError("BAD_REQUEST", "The request has no body.");

  const form = formParser(type, maxPhotoBytes, declared);
  let received = 0;
  try {
    await readPacedBody(
      request.body,
      (chunk) => {
        received += chunk.byteLength;
        if (received > maxBody) throw tooLarge(maxPhotoBytes);
        return form.write(chunk);
      },
      limits.pace,
    );
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      "BAD_REQUEST",
      "The upload was interrupted before the photo arrived. Please try again.",
    );
  }
  const { fields, photo } = await form.end();
  if (!photo?.byteLength) throw new ApiError("BAD_REQUEST", "Add a photo in the `photo` field.");
  const engine = readOne(fields, "engine", ENGINE_IDS, "engine") ?? "studio";
  const attire = readOne(fields, "attire", ATTIRE_IDS, "attire");
  if (attire && engine !== "generative") {
    throw new ApiError("BAD_REQUEST", "`attire` applies only to the generative engine (AI studio).");
  }
  return {
    photo,
    styles: readChoice(fields, "styles", STYLE_IDS, "style"),
    aspects: readChoice(fields, "aspects", ASPECT_IDS, "aspect ratio"),
    engine,
    attire: engine === "generative" ? (attire ?? DEFAULT_ATTIRE) : undefined,
  };
}

interface ParsedForm {
  fields: Map<string, string[]>;
  photo: Uint8Array | undefined;
}

/** busboy fed chunk by chunk; the first limit passed or parse error rejects write() and end(). */
function formParser(contentType: string, maxPhotoBytes: number, declaredBodyBytes: number) {
  let refuse!: (err: ApiError) => void;
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => undefined); // raced by write() and end()
  const badRequest = (message: string) => refuse(new ApiError("BAD_REQUEST", message));
  const unreadable = () => badRequest("The upload could not be read as a multipart form.");

  let busboy: InstanceType<typeof Busboy>;
  try {
    busboy = new Busboy({
      headers: { "content-type": contentType },
      limits: { ...LIMITS, fileSize: maxPhotoBytes },
    });
  } catch {
    unreadable();
    return { write: () => refused, end: () => refused };
  }
  const fields = new Map<string, string[]>();
  let photo: Promise<Uint8Array> | undefined;
  busboy.on("file", (name, stream) => {
    if (name !== "photo") {
      stream.resume();
      return badRequest("Send the photo in the `photo` field, and no other file.");
    }
    const bytes = photoBytes(Math.min(declaredBodyBytes, maxPhotoBytes));
    stream.on("data", (chunk: Buffer) => {
      if (!bytes.add(chunk)) badRequest("The upload is longer than its declared Content-Length.");
    });
    stream.on("limit", () => refuse(tooLarge(maxPhotoBytes)));
    photo = new Promise((resolve) => stream.on("end", () => resolve(bytes.all())));
  });
  busboy.on("field", (name, value, _nameTruncated, valueTruncated) => {
    if (valueTruncated) return badRequest(`A form field is longer than ${LIMITS.fieldSize} bytes.`);
    fields.set(name, [...(fields.get(name) ?? []), value]);
  });
  busboy.on("filesLimit", () => badRequest("Send one photo per request."));
  busboy.on("fieldsLimit", () => badRequest(`The form has more than ${LIMITS.fields} fields.`));
  busboy.on("partsLimit", () => badRequest(`The form has more than ${LIMITS.parts} parts.`));
  busboy.on("error", unreadable);
  const finished = new Promise<void>((resolve) => busboy.on("finish", resolve));

  return {
    write: (chunk: Uint8Array): Promise<void> =>
      Promise.race([new Promise<void>((resolve) => busboy.write(chunk, () => resolve())), refused]),
    end: async (): Promise<ParsedForm> => {
      busboy.end();
      await Promise.race([finished, refused]);
      return { fields, photo: await photo };
    },
  };
}

/**
 * The photo's bytes as they arrive. When the request declares its length (browsers do), into one
 * buffer of that size, at most the photo limit: its pages become resident only as bytes land, each
 * network chunk is garbage once copied, and the photo is never held twice, as joining chunks at the
 * end would. Otherwise (a chunked body) chunks, joined at the end. `add` is false for a chunk past
 * the capacity: a body longer than it declared, which Node's HTTP parser never passes on. A photo
 * filling much less of its buffer than the form's overhead explains (a long preamble) is copied
 * out, so no job holds, or hands its worker, bytes that are not the photo's.
 */
function photoBytes(capacity: number): { add(chunk: Buffer): boolean; all(): Buffer } {
  if (capacity <= 0) {
    const chunks: Buffer[] = [];
    return {
      add(chunk) {
        chunks.push(chunk);
        return true;
      },
      all: () => Buffer.concat(chunks),
    };
  }
  const buffer = Buffer.allocUnsafeSlow(capacity);
  let length = 0;
  return {
    add(chunk) {
      if (length + chunk.byteLength > capacity) return false;
      length += chunk.copy(buffer, length);
      return true;
    },
    all() {
      const photo = buffer.subarray(0, length);
      // Left in its buffer when the engine can take that over (engine/pool.ts), else copied out.
      return capacity - length > HAND_OVER_SPARE_BYTES ? Buffer.from(photo) : photo;
    },
  };
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    "PAYLOAD_TOO_LARGE",
    `The photo is larger than ${Math.round(maxBytes / 1024 / 1024)} MB. Please use a smaller photo.`,
  );
}

/** A field that takes one value; undefined when absent. */
function readOne<T extends string>(
  fields: Map<string, string[]>,
  field: string,
  allowed: readonly T[],
  noun: string,
): T | undefined {
  const values = (fields.get(field) ?? []).map((v) => v.trim()).filter(Boolean);
  if (values.length === 0) return undefined;
  const [value] = values;
  if (values.length > 1 || !allowed.includes(value as T)) {
    throw new ApiError("BAD_REQUEST", `Choose one ${noun}: ${allowed.join(", ")}.`);
  }
  return value as T;
}

/** Repeated fields or one comma-separated field; absent means all (SPEC §4 defaults). */
function readChoice<T extends string>(
  fields: Map<string, string[]>,
  field: string,
  allowed: readonly T[],
  noun: string,
): T[] {
  const values = (fields.get(field) ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length === 0) return [...allowed];
  const unknown = values.filter((v) => !allowed.includes(v as T));
  if (unknown.length) {
    throw new ApiError(
      "BAD_REQUEST",
      `Unknown ${noun}: ${unknown.join(", ")}. Choose from ${allowed.join(", ")}.`,
    );
  }
  return allowed.filter((a) => values.includes(a));
}
