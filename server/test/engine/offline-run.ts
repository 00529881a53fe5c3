// Child-process half of no-network.test.ts: loads the models and renders headshots with the
// network guard preloaded, then reports what happened as one JSON line.

import { readFile } from "node:fs/promises";
import net from "node:net";
import { createStudioPipeline } from "../../src/engine/pipeline";

const guard = globalThis as unknown as { __networkAttempts?: string[] };

// Prove the guard bites before trusting a green run.
let probeRefused = false;
try {
  net.connect(443, "93.184.216.34");
} catch {
  probeRefused = true;
}
let fetchRefused = false;
await fetch("https://example.com/").catch(() => (fetchRefused = true));
const probes = guard.__networkAttempts?.length ?? 0;

const pipeline = await createStudioPipeline();
const result = await pipeline.run({
  photo: await readFile(process.argv[2]!),
  styles: ["studio-grey", "classic-bw"],
  aspects: ["1:1", "4:5"],
});
console.log(
  JSON.stringify({
    guarded: Array.isArray(guard.__networkAttempts),
    probeRefused,
    fetchRefused,
    engineAttempts: (guard.__networkAttempts ?? []).slice(probes),
    images: result.images.map((i) => ({
      style: i.style,
      aspect: i.aspect,
      width: i.width,
      height: i.height,
      bytes: i.data.length,
    })),
  }),
);
