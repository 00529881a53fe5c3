// Runs a fake GPU on its own, for the local preview of AI studio:
//   npx tsx test-support/fake-gpu/serve.ts --kind replicate --port 3010 --secret whsec_… --token …
// and prints its URL and the REMOTE_ENGINE_* settings that point a server at it.
import { parseArgs } from "node:util";
import { startFakeGpu } from "./fake-gpu";
import type { FakeGpuKind } from "./types";

const USAGE = `usage: serve.ts --kind replicate|cog [--port 3010] [--host 127.0.0.1]
  [--token <replicate API token>] [--secret <whsec_… | Cog WEBHOOK_AUTH_TOKEN>]
  [--setup-ms N] [--start-ms N] [--run-ms N] [--fail <prompt words>]...`;

const { values } = parseArgs({
  options: {
    kind: { type: "string" },
    port: { type: "string", default: "3010" },
    host: { type: "string", default: "127.0.0.1" },
    token: { type: "string" },
    secret: { type: "string" },
    "setup-ms": { type: "string" },
    "start-ms": { type: "string" },
    "run-ms": { type: "string" },
    fail: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", default: false },
  },
});

if (values.help || (values.kind !== "replicate" && values.kind !== "cog")) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 64);
}

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const gpu = await startFakeGpu({
  kind: values.kind as FakeGpuKind,
  port: Number(values.port),
  host: values.host,
  token: values.token,
  webhookSecret: values.secret,
  setupMs: number(values["setup-ms"]),
  startMs: number(values["start-ms"]),
  runMs: number(values["run-ms"]),
  failWhenPromptIncludes: values.fail,
});

console.log(`fake GPU (${gpu.kind}) listening on ${gpu.url}`);
for (const [name, value] of Object.entries(gpu.env)) console.log(`  ${name}=${value}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void gpu.stop().then(() => process.exit(0));
  });
}
