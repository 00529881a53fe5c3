// The engine's SIMD kernels (kernels.wat, committed compiled as kernels.wasm), compiled once per
// thread. Each KernelMemory is an instance with its own memory and a bump allocator: views into
// it stay valid until the next `reset` (which may grow the memory).

import { readFileSync } from "node:fs";
import path from "node:path";
import { SERVER_DIR } from "../../locations";

const module = new WebAssembly.Module(readFileSync(path.join(SERVER_DIR, "src/engine/wasm/kernels.wasm")));

interface Exports {
  render(
    fg: number,
    a: number,
    b: number,
    f: number,
    out: number,
    width: number,
    y0: number,
    y1: number,
    coef: number,
  ): void;
  level(
    src: number,
    sw: number,
    sh: number,
    out: number,
    w: number,
    h: number,
    ox: number,
    oy: number,
    ux: number,
    uy: number,
    vx: number,
    vy: number,
  ): void;
  quarter(src: number, stride: number, w: number, h: number, out: number): void;
  build(
    a: number,
    b: number,
    f: number,
    shadow: number,
    hw: number,
    hh: number,
    xs0: number,
    xs1: number,
    xw: number,
    dx2: number,
    w: number,
    y0: number,
    y1: number,
    fy: number,
    cy: number,
    radius: number,
    strength: number,
  ): void;
  blur(src: number, tmp: number, out: number, col: number, w: number, h: number, r: number): void;
}

const PAGE = 65_536;
const ALIGN = 16;
const aligned = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

export class KernelMemory {
  readonly kernels: Exports;
  private readonly memory: WebAssembly.Memory;
  private next = 0;
  private end = 0;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as Exports;
  }

  /** Bytes to reserve for arrays of these byte lengths (each 16-byte aligned). */
  static size(...byteLengths: number[]): number {
    return byteLengths.reduce((sum, n) => sum + aligned(n), 0);
  }

  /** Frees every allocation and makes room for `bytes` more; earlier views are invalid after. */
  reset(bytes: number): void {
    const pages = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.next = 0;
    this.end = bytes;
  }

  f32(length: number): { ptr: number; view: Float32Array } {
    const ptr = this.take(length * 4);
    return { ptr, view: new Float32Array(this.memory.buffer, ptr, length) };
  }

  i32(length: number): { ptr: number; view: Int32Array } {
    const ptr = this.take(length * 4);
    return { ptr, view: new Int32Array(this.memory.buffer, ptr, length) };
  }

  u8(length: number): { ptr: number; view: Uint8Array } {
    const ptr = this.take(length);
    return { ptr, view: new Uint8Array(this.memory.buffer, ptr, length) };
  }

  private take(bytes: number): number {
    const ptr = this.next;
    this.next += aligned(bytes);
    if (this.next > this.end) throw new Error("kernel memory: allocation past the reserved size");
    return ptr;
  }
}

/** One instance per thread for kernels whose data is copied in and out within one call. */
let shared: KernelMemory | undefined;
export function sharedKernels(bytes: number): KernelMemory {
  shared ??= new KernelMemory();
  shared.reset(bytes);
  return shared;
}
