// Per-job scratch buffers, reused across jobs: a job allocates ~70 MB of full-canvas planes, and
// freeing them every job cost ~100 ms of garbage collection and kept RSS high. A pipeline keeps a
// free list of these sets, so concurrent runs on one pipeline (tests) never share a buffer.

import { StyleRenderer } from "./render";

export class Scratch {
  private readonly f32s = new Map<string, Float32Array>();
  private readonly u8s = new Map<string, Uint8Array>();
  private styleRenderer?: StyleRenderer;

  /** The style renderer (layers and outputs in kernel memory) for a canvas of this size. */
  renderer(width: number, height: number): StyleRenderer {
    const r = this.styleRenderer;
    if (r?.width === width && r.height === height) return r;
    return (this.styleRenderer = new StyleRenderer(width, height));
  }

  /** A Float32Array of `length` under `key`; its contents are whatever the last job left. */
  f32(key: string, length: number): Float32Array {
    let a = this.f32s.get(key);
    if (a?.length !== length) this.f32s.set(key, (a = new Float32Array(length)));
    return a;
  }

  /** A Uint8Array of `length` under `key`; its contents are whatever the last job left. */
  u8(key: string, length: number): Uint8Array {
    let a = this.u8s.get(key);
    if (a?.length !== length) this.u8s.set(key, (a = new Uint8Array(length)));
    return a;
  }
}

/** Free scratch sets of one pipeline: `take` one for a job, `give` it back when the job ends. */
export class ScratchPool {
  private readonly free: Scratch[] = [];
  take(): Scratch {
    return this.free.pop() ?? new Scratch();
  }
  give(s: Scratch): void {
    this.free.push(s);
  }
}

/** Module-level temporaries for synchronous functions only (nothing outlives the call). */
const temps = new Map<string, Float32Array>();
export function tempF32(key: string, length: number): Float32Array {
  let a = temps.get(key);
  if (!a || a.length < length) temps.set(key, (a = new Float32Array(length)));
  return a;
}
