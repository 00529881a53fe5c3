// `npm run bench`: every benchmark, one after another, each printing ratios against its own
// in-process baseline.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
for (const bench of ["api.ts", "engine.ts", "generative.ts"]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", `${here}${bench}`], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
