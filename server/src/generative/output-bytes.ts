// An output image's bytes, from the data URL Cog puts in its callback or the URL Replicate serves
// for an hour, never more than the caller's cap: a provider is trusted to answer, not with memory.
import { ProviderError } from "./provider";
import { providerFetch, type Fetch } from "./provider-http";

export interface OutputFetchOptions {
  fetch: Fetch;
  timeoutMs: number;
  /**
   * Where plain http is accepted: `loopback` (tests; Replicate serves https only) or `any` (Cog's
   * outputs may come from an upload server on our private network).
   */
  plainHttp: "loopback" | "any";
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes behind `ref` (a data URL or an http(s) URL), at most `maxBytes`; throws ProviderError. */
export async function outputBytes(
  ref: string,
  maxBytes: number,
  options: OutputFetchOptions,
): Promise<Uint8Array> {
  if (ref.startsWith("data:")) return decodeImageDataUrl(ref, maxBytes);
  const url = parseOutputUrl(ref, options.plainHttp);
  const response = await providerFetch(options.fetch, url.href, { redirect: "error" }, options.timeoutMs);
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    throw refused("the output is gone (the provider deletes outputs an hour after the prediction)");
  }
  if (!response.ok) {
    await response.body?.cancel();
    const kind = response.status >= 500 ? "unavailable" : "refused";
    throw new ProviderError({ kind, detail: `the output answered HTTP ${response.status}` });
  }
  const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type && !type.startsWith("image/") && type !== "application/octet-stream") {
    await response.body?.cancel();
    throw refused(`the output is ${type}, not an image`);
  }
  return readCapped(response, maxBytes, options.timeoutMs);
}

/** The bytes of a base64 image data URL, refused when larger than `maxBytes` before decoding. */
export function decodeImageDataUrl(ref: string, maxBytes: number): Uint8Array {
  const header = DATA_URL.exec(ref);
  if (!header) throw refused("a malformed data URL");
  const mime = header[1]!.toLowerCase();
  if (!mime.startsWith("image/")) throw refused(`the output is ${mime || "untyped"}, not an image`);
  if (!header[2]!.split(";").includes("base64")) throw refused("a data URL that isn't base64");
  const payload = ref.slice(header[0].length);
  const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
  const size = Math.floor((payload.length * 3) / 4) - padding;
  if (size > maxBytes) throw tooLarge(maxBytes);
  if (size === 0 || payload.length % 4 !== 0 || !BASE64.test(payload))
    throw refused("a data URL that isn't base64");
  return new Uint8Array(Buffer.from(payload, "base64"));
}

function parseOutputUrl(ref: string, plainHttp: OutputFetchOptions["plainHttp"]): URL {
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    throw refused("the output reference is neither a URL nor a data URL");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && (plainHttp === "any" || isLoopback(url.hostname))) return url;
  throw refused(`an output URL over ${url.protocol} is not accepted`);
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The body, read as it streams and abandoned as soon as it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    // The request's timeout signal also aborts the body stream.
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    const detail = timedOut
      ? `the output did not arrive within ${timeoutMs} ms`
      : "the output's download broke off";
    throw new ProviderError({ kind: "unavailable", detail });
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function tooLarge(maxBytes: number): ProviderError {
  return refused(`the output is larger than ${maxBytes} bytes`);
}

function refused(detail: string): ProviderError {
  return new ProviderError({ kind: "refused", detail });
}
