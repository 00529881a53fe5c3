// `npm start` (SPEC §3.1): the backend on its embedded default (:3001, PGlite under .data/,
// studio engine, development auth) and the panel's dev server (:8080, /app.js + the local
// preview). Ctrl-C stops both; if either exits, the other is stopped too.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const children = [
  spawn(npm, ["run", "serve", "-w", "server"], { cwd: root, stdio: "inherit" }),
  spawn(process.execPath, ["canva-app/scripts/dev-server.mjs"], { cwd: root, stdio: "inherit" }),
];

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
