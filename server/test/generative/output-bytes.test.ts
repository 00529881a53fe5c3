// Reading an output: a streamed body abandoned past the cap, the provider's answers read as
// failures, and data URLs decoded only when they are base64 images within the cap.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImageDataUrl, outputBytes, type OutputFetchOptions } from "../../src/generative/output-bytes";
import { ProviderError } from "../../src/generative/provider";
import { providerFailure } from "./provider-failure";

let origin: string;
let closeServer: () => Promise<void>;
/** Whether the server saw the oversized stream's connection close before it had sent it all. */
let streamAbandoned: Promise<boolean>;

const options: OutputFetchOptions = { fetch, timeoutMs: 1_000, plainHttp: "loopback" };

beforeAll(async () => {
  let abandoned: (value: boolean) => void = () => {};
  streamAbandoned = new Promise((resolve) => (abandoned = resolve));
  const routes: Record<string, (res: ServerResponse) => void> = {
    "/ok.jpg": (res) => res.writeHead(200, { "Content-Type": "image/jpeg" }).end(Buffer.alloc(500, 1)),
    "/gone.jpg": (res) => res.writeHead(410).end(),
    "/missing.jpg": (res) => res.writeHead(404).end(),
    "/broken.jpg": (res) => res.writeHead(502).end(),
    "/page.html": (res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<p>hi</p>"),
    "/slow.jpg": (res) => {
      res.writeHead(200, { "Content-Type": "image/jpeg" });
      res.write(Buffer.alloc(10));
    },
    // 100 chunks of 1 KB without a Content-Length: only counting while reading can stop it.
    "/endless.jpg": (res) => {
      res.writeHead(200, { "Content-Type": "image/jpeg" });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return;
        res.write(Buffer.alloc(1024, 2));
        if (++sent === 100) {
          clearInterval(timer);
          res.end();
          abandoned(false);
        }
      }, 5);
      res.on("close", () => {
        clearInterval(timer);
        if (sent < 100) abandoned(true);
      });
    },
  };
  const server = createServer((req, res) => (routes[req.url ?? ""] ?? ((r) => r.writeHead(404).end()))(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
});

afterAll(() => closeServer());

describe("output URLs", () => {
  it("reads an image within the cap", async () => {
    expect((await outputBytes(`${origin}/ok.jpg`, 500, options)).byteLength).toBe(500);
  });

  it("stops reading a stream as soon as it passes the cap", async () => {
    expect(await providerFailure(() => outputBytes(`${origin}/endless.jpg`, 4_000, options))).toEqual({
      kind: "refused",
      detail: "the output is larger than 4000 bytes",
    });
    expect(await streamAbandoned).toBe(true);
  });

  it("says an output is gone on 404 and 410", async () => {
    for (const path of ["/gone.jpg", "/missing.jpg"]) {
      expect(await providerFailure(() => outputBytes(`${origin}${path}`, 500, options))).toMatchObject({
        kind: "refused",
        detail: expect.stringContaining("gone"),
      });
    }
  });

  it("is unavailable on a 5xx and when the body stalls past the timeout", async () => {
    expect((await providerFailure(() => outputBytes(`${origin}/broken.jpg`, 500, options))).kind).toBe(
      "unavailable",
    );
    expect(
      await providerFailure(() => outputBytes(`${origin}/slow.jpg`, 500, { ...options, timeoutMs: 200 })),
    ).toEqual({
      kind: "unavailable",
      detail: "the output did not arrive within 200 ms",
    });
  });

  it("refuses what isn't an image, and URLs it must not fetch", async () => {
    expect(await providerFailure(() => outputBytes(`${origin}/page.html`, 500, options))).toEqual({
      kind: "refused",
      detail: "the output is text/html, not an image",
    });
    expect((await providerFailure(() => outputBytes("file:///etc/passwd", 500, options))).kind).toBe(
      "refused",
    );
    expect((await providerFailure(() => outputBytes("http://10.0.0.5/out.jpg", 500, options))).kind).toBe(
      "refused",
    );
    expect((await providerFailure(() => outputBytes("not a url", 500, options))).kind).toBe("refused");
  });

  it("accepts plain http from a private network where the deployment says so (Cog)", async () => {
    // Nothing listens on port 9 of 127.0.0.2; the point is that the URL is tried, not refused.
    const failed = await providerFailure(() =>
      outputBytes("http://127.0.0.2:9/out.jpg", 500, { ...options, plainHttp: "any" }),
    );
    expect(failed.kind).toBe("unavailable");
  });
});

describe("data URLs", () => {
  const jpegBytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
  const dataUrl = `data:image/jpeg;base64,${jpegBytes.toString("base64")}`;

  it("decodes a base64 image", () => {
    expect(Buffer.from(decodeImageDataUrl(dataUrl, 100))).toEqual(jpegBytes);
  });

  it("measures the size before decoding: exactly the cap passes, one byte less refuses", () => {
    expect(decodeImageDataUrl(dataUrl, jpegBytes.length).byteLength).toBe(jpegBytes.length);
    expect(() => decodeImageDataUrl(dataUrl, jpegBytes.length - 1)).toThrow(/larger than 8 bytes/);
  });

  it("refuses data URLs that aren't base64 images", () => {
    for (const bad of [
      "data:text/plain;base64,aGVsbG8=",
      "data:;base64,aGVsbG8=",
      "data:image/jpeg,%FF%D8",
      "data:image/jpeg;base64,not*base64",
      "data:image/jpeg;base64,",
      "data:image/jpeg",
    ]) {
      expect(() => decodeImageDataUrl(bad, 100), bad).toThrow(ProviderError);
    }
  });
});
