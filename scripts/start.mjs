// `npm start` (SPEC §3.1): the backend on its embedded default (:3001, PGlite under .data/,
// studio engine, development auth) and the panel's dev server (:8080, /app.js + the local
// preview). Ctrl-C stops them all; if one exits, the others are stopped too.
//
// The backend runs from source through tsx's loader (`npm run dev -w server`, without npm's own
// process in between): no build step, so a fresh clone starts at once and an edit needs only a
// restart. Production runs the compiled server instead (`npm run build`, `npm run serve`).
//
// `npm start -- --ai-studio` (or `=cog`) also runs the local fake GPU of test-support/fake-gpu on
// :3010 — Replicate's API by default — and offers AI studio against it, so the whole AI studio
// journey can be tried in the preview without a GPU. The fake is never part of the server.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseArgs({ options: { "ai-studio": { type: "string" } }, strict: false });
const aiStudio = values["ai-studio"] === true ? "replicate" : values["ai-studio"];
if (aiStudio !== undefined && aiStudio !== "replicate" && aiStudio !== "cog") {
  console.error("usage: npm start [-- --ai-studio[=replicate|cog]]");
  process.exit(64);
}

/** Local-only credentials shared by the fake and the server; they guard nothing real. */
const FAKE = {
  port: 3010,
  token: "r8_local_preview_fake_gpu",
  replicateSecret: `whsec_${Buffer.from("local preview fake GPU").toString("base64")}`,
  cogSecret: "local-preview-fake-gpu-webhook-token-0123",
};

const children = [];
let serverEnv = process.env;
if (aiStudio) {
  const secret = aiStudio === "replicate" ? FAKE.replicateSecret : FAKE.cogSecret;
  children.push(
    spawn(
      path.join(root, "node_modules", ".bin", "tsx"),
      [
        "test-support/fake-gpu/serve.ts",
        `--kind=${aiStudio}`,
        `--port=${FAKE.port}`,
        `--token=${FAKE.token}`,
        `--secret=${secret}`,
        "--run-ms=4000",
      ],
      { cwd: root, stdio: "inherit" },
    ),
  );
  const base = `http://127.0.0.1:${FAKE.port}`;
  serverEnv = {
    ...process.env,
    ENGINES: "studio,generative",
    REMOTE_ENGINE_KIND: aiStudio,
    REMOTE_ENGINE_URL: aiStudio === "replicate" ? `${base}/v1` : base,
    REMOTE_ENGINE_WEBHOOK_SECRET: secret,
    ...(aiStudio === "replicate"
      ? { REMOTE_ENGINE_TOKEN: FAKE.token, REMOTE_ENGINE_MODEL: "fake/headshot" }
      : {}),
  };
}
children.push(
  spawn(process.execPath, ["--initial-old-space-size=64", "--import", "tsx", "src/main.ts"], {
    cwd: path.join(root, "server"),
    stdio: "inherit",
    env: { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072", ...serverEnv },
  }),
  spawn(process.execPath, ["canva-app/scripts/dev-server.mjs"], { cwd: root, stdio: "inherit" }),
);

let exiting = false;
function stopAll(signal, code = 0) {
  if (exiting) return;
  exiting = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
  // Give the backend its graceful shutdown, then leave whatever happens.
  setTimeout(() => process.exit(code), 10_000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null))).then(
    () => process.exit(code),
  );
}

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stopAll(signal));
for (const child of children) {
  child.on("exit", (code) => stopAll("SIGTERM", code ?? 1));
}
