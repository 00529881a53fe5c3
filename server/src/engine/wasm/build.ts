// `npm run build:wasm`: compiles kernels.wat into kernels.wasm (wabt, a dev dependency). The
// binary is committed so the server needs no toolchain; test/engine/kernels.test.ts checks that
// it is what this source compiles to.

import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

export const WAT = fileURLToPath(new URL("./kernels.wat", import.meta.url));
export const WASM = fileURLToPath(new URL("./kernels.wasm", import.meta.url));

export async function compileKernels(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(WAT, await readFile(WAT, "utf8"), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const binary = await compileKernels();
  await writeFile(WASM, binary);
  console.log(`wrote ${WASM} (${binary.length} bytes)`);
}
