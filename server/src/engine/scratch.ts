// Per-job buffers, reused across jobs: a job needs ~80 MB of full-canvas planes, and allocating
// them every job cost ~100 ms of garbage collection and kept RSS high. A pipeline keeps a free
// list of these sets, so concurrent runs on one pipeline (tests) never share a buffer.

import { StyleRenderer } from "./render";

/** Styles rendered ahead of their encodes: 4 keeps rendering from waiting, at ~4 MB a slot. */
const OUTPUT_SLOTS = 4;

export class Scratch {
  private canvas?: Uint8Array;
  private canvasCoverage?: Float32Array;
  private styleRenderer?: StyleRenderer;

  /** The framing canvas' RGB buffer; its contents are whatever the last job left. */
  canvasRgb(length: number): Uint8Array {
    if (this.canvas?.length !== length) this.canvas = new Uint8Array(length);
    return this.canvas;
  }

  /** The framing canvas' coverage plane (`FramedCanvas.coverage`); contents as the last job left. */
  coverage(length: number): Float32Array {
    if (this.canvasCoverage?.length !== length) this.canvasCoverage = new Float32Array(length);
    return this.canvasCoverage;
  }

  /** The style renderer (matte, layers and outputs in kernel memory) for a canvas of this size. */
  renderer(width: number, height: number): StyleRenderer {
    const r = this.styleRenderer;
    if (r?.width === width && r.height === height) return r;
    return (this.styleRenderer = new StyleRenderer(width, height, OUTPUT_SLOTS));
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
