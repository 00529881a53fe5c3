// startFakeGpu: a loopback HTTP server that behaves like one deployment of the predictions
// contract (Replicate's hosted API or a Cog container) and draws a labelled stand-in image, so the
// generative engine can be tested — and previewed locally — without a GPU. Test code only: nothing
// under server/src imports it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createCogFake } from "./cog-api";
import type { FakeDeployment, IncomingCall, Reply } from "./deployment";
import { SAFETY_ERROR } from "./predictions";
import { createReplicateFake } from "./replicate-api";
import type { FakeGpu, FakeGpuBehaviour, FakeGpuOptions, RecordedRequest, SentCallback } from "./types";

export const DEFAULT_BEHAVIOUR: Readonly<FakeGpuBehaviour> = {
  startMs: 50,
  runMs: 300,
  failWhenPromptIncludes: [],
  dropCallbacks: 0,
  callbackCopies: 1,
  concurrentCopies: false,
  distinctCopyIds: false,
  staleAfterCompleted: false,
  callbackRetries: 3,
  rateLimitedCreates: 0,
  rateLimitResetS: 5,
  unavailable: false,
  capacity: 1,
  health: undefined,
  outputTtlMs: 60 * 60 * 1000,
};

/** Credentials for tests only: the fake accepts whatever it is started with. */
export const FAKE_REPLICATE_TOKEN = "r8_fake_gpu_token_for_tests_only";
export const FAKE_REPLICATE_SECRET = `whsec_${Buffer.from("fake-gpu signing secret, tests only").toString("base64")}`;
export const FAKE_COG_TOKEN = "fake-gpu-webhook-token-for-tests-only-0123456789";
const FAKE_MODEL = "fake/headshot";

export async function startFakeGpu(options: FakeGpuOptions): Promise<FakeGpu> {
  const { kind, port = 0, host = "127.0.0.1", setupMs = 0, token = FAKE_REPLICATE_TOKEN, ...rest } = options;
  const { webhookSecret = kind === "replicate" ? FAKE_REPLICATE_SECRET : FAKE_COG_TOKEN, ...overrides } =
    rest;
  // An option passed as undefined (a CLI flag left out) keeps its default.
  const given = Object.entries(overrides).filter(([, value]) => value !== undefined);
  const behaviour: FakeGpuBehaviour = { ...DEFAULT_BEHAVIOUR, ...Object.fromEntries(given) };
  const requests: RecordedRequest[] = [];
  const callbacks: SentCallback[] = [];
  const canceled: string[] = [];

  async function answer(
    deployment: FakeDeployment,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const rawBody = await readBody(req);
    const body = parseJson(rawBody);
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "", path, headers: req.headers, rawBody, body });
    const call: IncomingCall = {
      method: req.method ?? "",
      path: path.split("?")[0]!,
      headers: req.headers,
      body,
    };
    let reply: Reply;
    try {
      reply = await deployment.handle(call);
    } catch (err) {
      reply = {
        status: 500,
        body: { detail: `fake-gpu: ${err instanceof Error ? err.message : String(err)}` },
      };
    }
    send(res, reply);
  }

  // Listening first: the deployment needs the URL it serves outputs and its own links from.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host}:${address.port}`;
  const ctx = { url, token, webhookSecret, setupMs, behaviour, callbacks, canceled };
  const deployment = kind === "replicate" ? createReplicateFake(ctx) : createCogFake(ctx);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => void answer(deployment, req, res));
  const { runner } = deployment;
  const baseUrl = kind === "replicate" ? `${url}/v1` : url;

  return {
    kind,
    url,
    baseUrl,
    token,
    webhookSecret,
    env: {
      REMOTE_ENGINE_KIND: kind,
      REMOTE_ENGINE_URL: baseUrl,
      REMOTE_ENGINE_WEBHOOK_SECRET: webhookSecret,
      ...(kind === "replicate" ? { REMOTE_ENGINE_TOKEN: token, REMOTE_ENGINE_MODEL: FAKE_MODEL } : {}),
    },
    behaviour,
    requests,
    callbacks,
    canceled,
    predictions: () =>
      [...runner.all.values()].map(({ id, status, input, webhook, error }) => ({
        id,
        status,
        input,
        webhook,
        error,
      })),
    failNext: (count, match = {}) =>
      runner.failNext(count, match.promptIncludes, match.error ?? SAFETY_ERROR),
    deleteOutputs: () => deployment.deleteOutputs(),
    settled: () => runner.settled(),
    stop: async () => {
      runner.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const bytes = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    "Content-Type": "application/json",
    "Content-Length": String(bytes.length),
    ...reply.headers,
  });
  res.end(bytes);
}
