// The few ONNX protobuf messages a converted model needs, written by hand (field numbers from
// onnx.proto, IR version 8, opset 17): a model is a graph of nodes, initialisers and typed inputs
// and outputs.

export type Attribute =
  | { name: string; int: number }
  | { name: string; ints: readonly number[] }
  | { name: string; string: string };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly Attribute[];
}

export interface Initialiser {
  name: string;
  dims: readonly number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initialisers: Initialiser[];
  input: { name: string; dims: readonly number[] };
  /** Outputs are float tensors; their dims are left for ONNX Runtime to infer. */
  outputs: string[];
}

/** A protobuf message under construction: a list of byte chunks. */
class Message {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  varint(value: number | bigint): this {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Uint8Array.from(bytes));
    return this;
  }

  int(field: number, value: number): this {
    return this.varint(field << 3).varint(value);
  }

  blob(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2).varint(data.length);
    this.push(data);
    return this;
  }

  string(field: number, s: string): this {
    return this.blob(field, Buffer.from(s, "utf8"));
  }

  /** A nested message: its chunks are taken over, not copied (a model's weights are copied once,
   * by the outermost `finish`). */
  message(field: number, m: Message): this {
    this.varint((field << 3) | 2).varint(m.length);
    for (const chunk of m.chunks) this.push(chunk);
    return this;
  }

  packed(field: number, values: readonly number[]): this {
    const m = new Message();
    for (const v of values) m.varint(v);
    return this.message(field, m);
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks, this.length);
  }
}

/** ONNX tensor element types. */
export const ELEM = { float: 1, int32: 6, int64: 7 } as const;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

function attribute(a: Attribute): Message {
  const m = new Message().string(1, a.name);
  if ("int" in a) return m.int(3, a.int).int(20, ATTR_INT);
  if ("ints" in a) return m.packed(8, a.ints).int(20, ATTR_INTS);
  return m.string(4, a.string).int(20, ATTR_STRING);
}

function tensor(t: Initialiser): Message {
  const m = new Message().packed(1, t.dims);
  const type =
    t.data instanceof Float32Array ? ELEM.float : t.data instanceof Int32Array ? ELEM.int32 : ELEM.int64;
  m.int(2, type).string(8, t.name);
  return m.blob(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo(name: string, dims?: readonly number[]): Message {
  const tensorType = new Message().int(1, ELEM.float);
  if (dims) {
    const shape = new Message();
    for (const d of dims) shape.message(1, new Message().int(1, d));
    tensorType.message(2, shape);
  }
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

export function encodeModel(g: OnnxGraph): Uint8Array {
  const graph = new Message();
  g.nodes.forEach((n, i) => {
    const node = new Message();
    for (const input of n.inputs) node.string(1, input);
    for (const output of n.outputs) node.string(2, output);
    node.string(3, `node${i}`).string(4, n.op);
    for (const a of n.attributes ?? []) node.message(5, attribute(a));
    graph.message(1, node);
  });
  graph.string(2, "converted");
  for (const t of g.initialisers) graph.message(5, tensor(t));
  graph.message(11, valueInfo(g.input.name, g.input.dims));
  for (const o of g.outputs) graph.message(12, valueInfo(o));
  return new Message()
    .int(1, 8)
    .string(2, "headshot-studio")
    .message(8, new Message().string(1, "").int(2, 17))
    .message(7, graph)
    .finish();
}
