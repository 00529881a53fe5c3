// The generation form's photo arrives whole and exact, however the body is framed: into one buffer
// of the declared length (a browser's upload), or joined from its chunks (a chunked body).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HAND_OVER_SPARE_BYTES } from "../../src/engine/types";
import { ApiError } from "../../src/http/api-error";
import { readGenerationForm } from "../../src/jobs/generation-form";

const BOUNDARY = "hs-form-test";
const limits = { maxPhotoBytes: 15 * 1024 * 1024, pace: { deadlineMs: 30_000, minBytesPerSecond: 0 } };

function formBody(photo: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="styles"\r\n\r\nstudio-grey\r\n`),
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="me.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    photo,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** A request whose body arrives in `chunkBytes` pieces, declaring `declaredBytes` when given. */
function request(body: Buffer, chunkBytes: number, declaredBytes?: number): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < body.length; at += chunkBytes)
        controller.enqueue(body.subarray(at, at + chunkBytes));
      controller.close();
    },
  });
  return new Request("http://localhost/v1/headshots", {
    method: "POST",
    headers: {
      "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`,
      ...(declaredBytes === undefined ? {} : { "Content-Length": String(declaredBytes) }),
    },
    body: stream,
    duplex: "half",
  } as RequestInit);
}

describe("the generation form's photo", () => {
  const photo = randomBytes(3 * 1024 * 1024 + 7);
  const body = formBody(photo);

  it.each([
    ["its declared length", body.length],
    ["no declared length (chunked)", undefined],
  ])("arrives byte for byte, in a buffer the engine takes over, with %s", async (_framing, declared) => {
    const form = await readGenerationForm(request(body, 64 * 1024 + 3, declared), limits);
    expect(form.styles).toEqual(["studio-grey"]);
    expect(form.photo.byteLength).toBe(photo.length);
    expect(Buffer.from(form.photo).equals(photo)).toBe(true);
    // What the engine moves to its worker rather than copies (engine/pool.ts).
    expect(form.photo.byteOffset).toBe(0);
    expect(form.photo.buffer.byteLength - photo.length).toBeLessThanOrEqual(HAND_OVER_SPARE_BYTES);
  });

  it("fills a buffer of exactly the photo limit when the body declares more than it", async () => {
    const limit = 64 * 1024;
    const atLimit = randomBytes(limit);
    const whole = formBody(atLimit);
    const small = { ...limits, maxPhotoBytes: limit };
    const form = await readGenerationForm(request(whole, 4096, whole.length), small);
    expect(Buffer.from(form.photo).equals(atLimit)).toBe(true);

    const over = formBody(randomBytes(limit + 1));
    const read = readGenerationForm(request(over, 4096, over.length), small);
    await expect(read).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("hands a photo behind a long preamble over in a buffer of its own size", async () => {
    const small = randomBytes(100 * 1024);
    const padded = Buffer.concat([Buffer.alloc(1024 * 1024, "x"), Buffer.from("\r\n"), formBody(small)]);
    const form = await readGenerationForm(request(padded, 64 * 1024, padded.length), limits);
    expect(Buffer.from(form.photo).equals(small)).toBe(true);
    expect(form.photo.buffer.byteLength).toBe(small.length);
  });

  it("is refused, not cut short, when the body is longer than it declared", async () => {
    const read = readGenerationForm(request(body, 64 * 1024, photo.length - 1), limits);
    await expect(read).rejects.toBeInstanceOf(ApiError);
    await expect(read).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "The upload is longer than its declared Content-Length.",
    });
  });
});
