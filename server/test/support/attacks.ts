// Issue 18's attacks on POST /v1/headshots over real sockets, for the abuse tests and the
// sustained-load test: an upload that stalls after its first bytes, and a form of many empty parts.
import net from "node:net";
import { fixture } from "../jobs/helpers";

export const BOUNDARY = "hs-abuse";
export const PHOTO_HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="me.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
/** One empty file part: what the part flood repeats. */
export const EMPTY_PART = Buffer.from(`${PHOTO_HEAD}\r\n`);
export const FLOOD_PARTS = 130_000;
const photo = fixture("one_face_sample1_crop.jpg");

export interface RawAnswer {
  /** NaN when the socket closed (or was given up on) without an answer. */
  status: number;
  headers: string;
  body: unknown;
  /** ms from sending the request's bytes to its answer's first byte, and to the socket closing. */
  answeredMs: number;
  closedMs: number;
}

function requestHead(token: string, length: string, headers: Record<string, string>): string {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return (
    `POST /v1/headshots HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n${extra}` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${length}\r\n\r\n`
  );
}

/** True once the answer's headers and as many body bytes as its Content-Length have arrived. */
function answerComplete(received: string): boolean {
  const end = received.indexOf("\r\n\r\n");
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end));
  return (
    end >= 0 && length !== null && Buffer.byteLength(received.slice(end + 4), "latin1") >= Number(length[1])
  );
}

function parseAnswer(received: string): Pick<RawAnswer, "status" | "headers" | "body"> {
  const [headers = "", rest = ""] = received.split("\r\n\r\n", 2);
  const json = rest.slice(rest.indexOf("{"), rest.lastIndexOf("}") + 1);
  return { status: Number(headers.split(" ")[1]), headers, body: json ? JSON.parse(json) : undefined };
}

/**
 * A POST /v1/headshots that sends its headers and the start of a photo (`sendBytes` of a
 * `declaredBytes` body, or chunked), then nothing more: it waits for whatever the server does, for
 * at most `giveUpMs` (then it closes the socket itself).
 */
export function stalledUpload(
  port: number,
  token: string,
  opts: {
    declaredBytes?: number;
    chunked?: boolean;
    sendBytes: number;
    headers?: Record<string, string>;
    giveUpMs?: number;
  },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const body = Buffer.concat([Buffer.from(PHOTO_HEAD), photo.subarray(0, opts.sendBytes)]);
    const length = opts.chunked
      ? "Transfer-Encoding: chunked"
      : `Content-Length: ${opts.declaredBytes ?? 5 * 1024 * 1024}`;
    let sentAt = 0;
    let answeredAt = 0;
    let received = "";
    if (opts.giveUpMs) socket.setTimeout(opts.giveUpMs, () => socket.destroy());
    socket.on("connect", () => {
      socket.write(requestHead(token, length, opts.headers ?? {}));
      const framed = [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n")];
      socket.write(opts.chunked ? Buffer.concat(framed) : body);
      sentAt = performance.now();
    });
    socket.on("data", (data) => {
      answeredAt ||= performance.now();
      received += data.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      resolve({
        ...parseAnswer(received),
        answeredMs: answeredAt - sentAt,
        closedMs: performance.now() - sentAt,
      });
    });
  });
}

/**
 * A form of FLOOD_PARTS empty file parts (~14 MB) sent as fast as the socket takes it, until the
 * server answers: the answer, and how many bytes were written by then.
 */
export function partFlood(
  port: number,
  token: string,
  headers: Record<string, string> = {},
  giveUpMs = 30_000,
): Promise<RawAnswer & { sentBytes: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(giveUpMs, () => socket.destroy());
    const closing = Buffer.from(`--${BOUNDARY}--\r\n`);
    const total = EMPTY_PART.length * FLOOD_PARTS + closing.length;
    const batch = Buffer.concat(Array.from({ length: 600 }, () => EMPTY_PART)); // ~64 KB a write
    let parts = 0;
    let sentBytes = 0;
    let sentAt = 0;
    let answeredAt = 0;
    let received = "";
    const pump = () => {
      while (!answeredAt && !socket.destroyed && parts < FLOOD_PARTS) {
        const n = Math.min(600, FLOOD_PARTS - parts);
        parts += n;
        const some = batch.subarray(0, n * EMPTY_PART.length);
        const chunk = parts === FLOOD_PARTS ? Buffer.concat([some, closing]) : some;
        sentBytes += chunk.length;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
    };
    socket.on("connect", () => {
      socket.write(requestHead(token, `Content-Length: ${total}`, headers));
      sentAt = performance.now();
      pump();
    });
    socket.on("data", (data) => {
      answeredAt ||= performance.now();
      received += data.toString("latin1");
      if (answerComplete(received)) socket.destroy();
    });
    // The server may reset the connection while we are still writing: the answer already came.
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      resolve({
        ...parseAnswer(received),
        answeredMs: answeredAt - sentAt,
        closedMs: performance.now() - sentAt,
        sentBytes,
      });
    });
  });
}
