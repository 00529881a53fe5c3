// tfjs graph model → ONNX, in memory, for the ops our face, person and safety models use. tfjs keeps
// images NHWC; ONNX convolutions want NCHW. So the input is transposed once and a feature map
// stays NCHW through convolutions, pools and elementwise ops; an op that depends on the layout
// (reshapes, slices, gathers, matrix products, …) or a graph output gets its input transposed back
// and from there the graph is converted op for op with TensorFlow's own axes. Weights are
// rearranged here (HWIO → OIHW). Only the nodes the requested outputs need are converted.

import { ELEM, encodeModel, type Attribute, type OnnxGraph } from "./protobuf";

/** A node of a tfjs graph model's `modelTopology`. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
interface TfAttr {
  s?: string;
  b?: boolean;
  i?: string;
  type?: string;
  list?: { i?: string[]; s?: string[] };
  shape?: { dim?: { size: string }[] };
}

export interface Weight {
  shape: number[];
  data: Float32Array | Int32Array;
}

const NCHW = [0, 3, 1, 2];
const NHWC = [0, 2, 3, 1];
/** Slice bounds meaning "to the end". */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
const CAST_TO: Record<string, number> = { DT_FLOAT: ELEM.float, DT_INT32: ELEM.int32 };

const text = (a: TfAttr | undefined) => Buffer.from(a?.s ?? "", "base64").toString();
const ints = (a: TfAttr | undefined) => (a?.list?.i ?? []).map(Number);
const texts = (a: TfAttr | undefined) => (a?.list?.s ?? []).map((s) => Buffer.from(s, "base64").toString());
export const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** `data` of `shape` (row-major) with its axes permuted. */
export function permute(
  data: ArrayLike<number>,
  shape: readonly number[],
  perm: readonly number[],
): Float32Array {
  const out = new Float32Array(data.length);
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const srcStride = perm.map((p) => strides[p]!);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < index.length; d++) src += index[d]! * srcStride[d]!;
    out[o] = data[src]!;
    for (let d = index.length - 1; d >= 0 && ++index[d]! === outShape[d]; d--) index[d] = 0;
  }
  return out;
}

/**
 * ONNX's padding for a convolution or pool of TensorFlow's: SAME pads the extra row or column at
 * the end, as ONNX's SAME_UPPER does. What our models don't use — EXPLICIT padding, dilation,
 * a data format other than NHWC, SAME with a stride larger than the window (ONNX Runtime rejects
 * it) — is refused rather than converted untested.
 */
function padding(node: TfNode, kernel: readonly number[]): Attribute {
  const attr = node.attr ?? {};
  const mode = text(attr.padding);
  const strides = ints(attr.strides).slice(1, 3);
  const refuse = (why: string) => new Error(`convertGraphModel: ${node.name} uses ${why}`);
  if (attr.data_format && text(attr.data_format) !== "NHWC")
    throw refuse(`data format ${text(attr.data_format)}`);
  if (attr.dilations && ints(attr.dilations).some((d) => d !== 1)) throw refuse("dilation");
  if (mode === "SAME") {
    if (strides.some((s, i) => s > kernel[i]!)) throw refuse("SAME padding with a stride beyond its window");
    return { name: "auto_pad", string: "SAME_UPPER" };
  }
  if (mode === "VALID") return { name: "auto_pad", string: "VALID" };
  throw refuse(`${mode} padding`);
}

/** The tfjs nodes `outputs` depend on, in graph order. */
function needed(nodes: readonly TfNode[], outputs: readonly string[]): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const wanted = new Set<string>();
  const stack = outputs.map(baseName);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (wanted.has(name)) continue;
    wanted.add(name);
    stack.push(...dataInputs(byName.get(name)).map(baseName));
  }
  return nodes.filter((n) => wanted.has(n.name));
}

const baseName = (ref: string) => ref.replace(/:0$/, "");
/** A node's inputs without its control dependencies (`^name`), which order it, not feed it. */
const dataInputs = (node: TfNode | undefined) => (node?.input ?? []).filter((i) => !i.startsWith("^"));

/** The graph's one input: its name and NHWC shape (an unknown batch size taken as 1). */
export function inputOf(nodes: readonly TfNode[]): { name: string; dims: number[] } {
  const placeholders = nodes.filter((n) => n.op === "Placeholder");
  if (placeholders.length !== 1) throw new Error(`convertGraphModel: ${placeholders.length} inputs, not 1`);
  const [p] = placeholders as [TfNode];
  return { name: p.name, dims: (p.attr?.shape?.shape?.dim ?? []).map((d) => Math.max(1, Number(d.size))) };
}

/**
 * Converts a graph model. `outputs` names the tfjs nodes to expose; in the ONNX model they are
 * `output0`, `output1`, … in that order, laid out as tfjs returns them. Throws on an op it does not
 * know rather than guessing.
 */
export function convertGraphModel(
  nodes: readonly TfNode[],
  weights: Record<string, Weight>,
  outputs: readonly string[],
): Uint8Array {
  const graph: OnnxGraph = { nodes: [], initialisers: [], input: inputOf(nodes), outputs: [] };
  /** Converted tensors: true where a 4-D feature map is stored NCHW. */
  const nchw = new Map<string, boolean>();
  const aliases = new Map<string, string>();
  const transposed = new Map<string, string>();
  let serial = 0;

  const resolve = (ref: string) => aliases.get(baseName(ref)) ?? baseName(ref);
  const isConstant = (ref: string) => weights[resolve(ref)] !== undefined;
  const weight = (ref: string): Weight => {
    const w = weights[resolve(ref)];
    if (!w) throw new Error(`convertGraphModel: ${ref} is not a constant`);
    return w;
  };
  const emit = (op: string, inputs: string[], output: string, isNchw: boolean, attributes?: Attribute[]) => {
    graph.nodes.push({ op, inputs, outputs: [output], attributes });
    nchw.set(output, isNchw);
    return output;
  };
  const initialiser = (dims: number[], data: Float32Array | Int32Array | BigInt64Array) => {
    const name = `const${serial++}`;
    graph.initialisers.push({ name, dims, data });
    return name;
  };
  const int64s = (values: readonly number[]) =>
    initialiser([values.length], BigInt64Array.from(values.map(BigInt)));
  const floats = (dims: number[], data: ArrayLike<number>) => initialiser(dims, Float32Array.from(data));
  /** A constant as TensorFlow has it. */
  const constant = (ref: string) => {
    const { shape, data } = weight(ref);
    return initialiser(shape, data);
  };
  /** A constant operand of an elementwise op with an NCHW feature map, laid out to broadcast alike. */
  const constantForNchw = (ref: string) => {
    const { shape, data } = weight(ref);
    const channels = shape[shape.length - 1] ?? 1;
    if (data.length === 1) return initialiser([], data);
    if (data.length === channels) return initialiser([channels, 1, 1], data);
    if (shape.length === 4)
      return floats(
        NCHW.map((d) => shape[d]!),
        permute(data, shape, NCHW),
      );
    throw new Error(`convertGraphModel: cannot broadcast ${ref} [${shape}] against NCHW`);
  };
  const layout = (name: string) => {
    const stored = nchw.get(name);
    if (stored === undefined) throw new Error(`convertGraphModel: ${name} is not computed`);
    return stored;
  };
  /** `name` in the other layout (each conversion emitted once). */
  const transpose = (name: string, toNchw: boolean) => {
    const key = `${name}/${toNchw ? "nchw" : "nhwc"}`;
    if (!transposed.has(key))
      transposed.set(
        key,
        emit("Transpose", [name], key, toNchw, [{ name: "perm", ints: toNchw ? NCHW : NHWC }]),
      );
    return transposed.get(key)!;
  };
  /** The tensor with TensorFlow's axes. */
  const plain = (ref: string) => {
    if (isConstant(ref)) return constant(ref);
    const name = resolve(ref);
    return layout(name) ? transpose(name, false) : name;
  };
  /** A 4-D feature map stored NCHW. */
  const image = (ref: string) => {
    const name = resolve(ref);
    return layout(name) ? name : transpose(name, true);
  };
  /** Elementwise op: NCHW if every variable operand is, else with TensorFlow's axes. */
  const elementwise = (op: string, inputs: string[], output: string) => {
    const variables = inputs.filter((i) => !isConstant(i));
    const asImage = variables.length > 0 && variables.every((i) => layout(resolve(i)));
    const operands = inputs.map((i) =>
      isConstant(i) ? (asImage ? constantForNchw(i) : constant(i)) : asImage ? resolve(i) : plain(i),
    );
    return emit(op, operands, output, asImage);
  };
  /** A constant's values (sizes, axes, paddings, permutations, slice bounds). */
  const values = (ref: string) => Array.from(weight(ref).data);
  /** The activation fused after a convolution's or matrix product's bias (`fused[1]`), from
   * `input` to `output`; a PReLU's slopes are the node's fourth input. */
  const fusedActivation = (
    fused: string[],
    input: string,
    output: string,
    isNchw: boolean,
    slopes: string | undefined,
  ) => {
    if (fused[1] === "Relu") emit("Relu", [input], output, isNchw);
    else if (fused[1] === "Relu6") emit("Clip", [input, floats([], [0]), floats([], [6])], output, isNchw);
    else if (fused[1] === "Prelu" && slopes)
      emit("PRelu", [input, isNchw ? constantForNchw(slopes) : constant(slopes)], output, isNchw);
    else throw new Error(`convertGraphModel: fused ${fused.join("+")}`);
  };

  for (const node of needed(nodes, outputs)) {
    const attr = node.attr ?? {};
    const inputs = dataInputs(node);
    const name = node.name;
    const [x, y] = inputs as [string, string];
    switch (node.op) {
      case "Const":
        break;
      case "Placeholder":
        nchw.set(name, false);
        break;
      case "Identity":
        aliases.set(name, resolve(x));
        break;
      case "_FusedConv2D":
      case "Conv2D":
      case "DepthwiseConv2dNative":
      case "FusedDepthwiseConv2dNative": {
        const filter = weight(y);
        const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
        const strides = ints(attr.strides);
        const depthwise = node.op.endsWith("DepthwiseConv2dNative");
        const outChannels = depthwise ? ci * co : co;
        const convInputs = [
          image(x),
          depthwise
            ? floats([outChannels, 1, kh, kw], permute(filter.data, [kh, kw, outChannels], [2, 0, 1]))
            : floats([co, ci, kh, kw], permute(filter.data, [kh, kw, ci, co], [3, 2, 0, 1])),
        ];
        const fused = node.op.includes("Fused") ? texts(attr.fused_ops) : [];
        if (fused.length > 0) {
          if (fused[0] !== "BiasAdd") throw new Error(`convertGraphModel: fused ${fused.join("+")}`);
          convInputs.push(floats([outChannels], weight(inputs[2]!).data));
        }
        const activation = fused[1];
        const conv = emit("Conv", convInputs, activation ? `${name}/conv` : name, true, [
          { name: "kernel_shape", ints: [kh, kw] },
          { name: "strides", ints: [strides[1]!, strides[2]!] },
          { name: "group", int: depthwise ? ci : 1 },
          padding(node, [kh, kw]),
        ]);
        if (activation) fusedActivation(fused, conv, name, true, inputs[3]);
        break;
      }
      case "_FusedMatMul": {
        // A matrix product, its bias and activation; Gemm adds the bias row to every row.
        const fused = texts(attr.fused_ops);
        if (fused[0] !== "BiasAdd") throw new Error(`convertGraphModel: fused ${fused.join("+")}`);
        const activation = fused[1];
        emit("Gemm", [plain(x), plain(y), plain(inputs[2]!)], activation ? `${name}/gemm` : name, false, [
          { name: "transA", int: attr.transpose_a?.b ? 1 : 0 },
          { name: "transB", int: attr.transpose_b?.b ? 1 : 0 },
        ]);
        if (activation) fusedActivation(fused, `${name}/gemm`, name, false, inputs[3]);
        break;
      }
      case "Conv2DBackpropInput": {
        // The transposed convolution whose forward convolution maps `size` back to its input; ONNX
        // derives the padding from the output shape it is given (SAME_UPPER, as TensorFlow pads).
        const size = values(x);
        const filter = weight(y);
        const [kh, kw, co, ci] = filter.shape as [number, number, number, number];
        const strides = ints(attr.strides);
        const filterData = permute(filter.data, [kh, kw, co, ci], [3, 2, 0, 1]);
        emit("ConvTranspose", [image(inputs[2]!), floats([ci, co, kh, kw], filterData)], name, true, [
          { name: "kernel_shape", ints: [kh, kw] },
          { name: "strides", ints: [strides[1]!, strides[2]!] },
          { name: "output_shape", ints: [size[1]!, size[2]!] },
          padding(node, [kh, kw]),
        ]);
        break;
      }
      case "MaxPool":
      case "AvgPool": {
        const [k, s] = [ints(attr.ksize), ints(attr.strides)];
        // TensorFlow's average leaves padding out of the count, as ONNX does by default.
        emit(node.op === "MaxPool" ? "MaxPool" : "AveragePool", [image(x)], name, true, [
          { name: "kernel_shape", ints: [k[1]!, k[2]!] },
          { name: "strides", ints: [s[1]!, s[2]!] },
          padding(node, [k[1]!, k[2]!]),
        ]);
        break;
      }
      case "ResizeBilinear": {
        const [h, w] = values(y) as [number, number];
        const mode = attr.align_corners?.b
          ? "align_corners"
          : attr.half_pixel_centers?.b
            ? "half_pixel"
            : "asymmetric";
        // sizes (N, C, h, w): N and C taken from the input at run time.
        const input = image(x);
        const shape = emit("Shape", [input], `${name}/shape`, false, [{ name: "end", int: 2 }]);
        const sizes = emit("Concat", [shape, int64s([h, w])], `${name}/sizes`, false, [
          { name: "axis", int: 0 },
        ]);
        emit("Resize", [input, "", "", sizes], name, true, [
          { name: "mode", string: "linear" },
          { name: "coordinate_transformation_mode", string: mode },
        ]);
        break;
      }
      case "Pad": {
        const pairs = values(y);
        const isImage = layout(resolve(x));
        const order = isImage ? NCHW : pairs.map((_, i) => i).slice(0, pairs.length / 2);
        const pads = [...order.map((d) => pairs[2 * d]!), ...order.map((d) => pairs[2 * d + 1]!)];
        emit("Pad", [resolve(x), int64s(pads)], name, isImage);
        break;
      }
      case "Add":
      case "AddV2":
        elementwise("Add", inputs, name);
        break;
      case "Sub":
      case "Mul":
        elementwise(node.op, inputs, name);
        break;
      case "Maximum":
      case "Minimum":
        elementwise(node.op === "Maximum" ? "Max" : "Min", inputs, name);
        break;
      case "AddN":
        elementwise("Sum", inputs, name);
        break;
      case "Square":
        elementwise("Mul", [x, x], name);
        break;
      case "Relu":
      case "Sigmoid":
      case "Floor":
        emit(node.op, [resolve(x)], name, layout(resolve(x)));
        break;
      case "Relu6":
        emit("Clip", [resolve(x), floats([], [0]), floats([], [6])], name, layout(resolve(x)));
        break;
      case "Softmax":
        // TensorFlow normalises over the last axis.
        emit("Softmax", [plain(x)], name, false, [{ name: "axis", int: -1 }]);
        break;
      case "Rsqrt": {
        const root = emit("Sqrt", [resolve(x)], `${name}/sqrt`, layout(resolve(x)));
        emit("Reciprocal", [root], name, layout(resolve(x)));
        break;
      }
      case "Prelu":
        if (layout(resolve(x))) emit("PRelu", [resolve(x), constantForNchw(y)], name, true);
        else emit("PRelu", [resolve(x), constant(y)], name, false);
        break;
      case "Cast": {
        const to = CAST_TO[attr.DstT?.type ?? ""];
        if (!to) throw new Error(`convertGraphModel: cast to ${attr.DstT?.type}`);
        emit("Cast", [resolve(x)], name, layout(resolve(x)), [{ name: "to", int: to }]);
        break;
      }
      case "Reshape":
        // allowzero: a 0 in the shape means 0, as in TensorFlow, not "copy this dimension".
        emit("Reshape", [plain(x), int64s(values(y))], name, false, [{ name: "allowzero", int: 1 }]);
        break;
      case "Transpose":
        emit("Transpose", [plain(x)], name, false, [{ name: "perm", ints: values(y) }]);
        break;
      case "Squeeze": {
        // No axes named: every axis of size 1 goes, in both.
        const axes = ints(attr.squeeze_dims);
        emit("Squeeze", axes.length > 0 ? [plain(x), int64s(axes)] : [plain(x)], name, false);
        break;
      }
      case "ConcatV2": {
        const parts = inputs.slice(0, -1);
        emit("Concat", parts.map(plain), name, false, [{ name: "axis", int: values(inputs.at(-1)!)[0]! }]);
        break;
      }
      case "StridedSlice": {
        for (const mask of ["ellipsis_mask", "new_axis_mask", "shrink_axis_mask"]) {
          if (Number(attr[mask]?.i ?? 0) !== 0) throw new Error(`convertGraphModel: ${name} uses ${mask}`);
        }
        const [begin, end, step] = inputs.slice(1).map((i) => values(i)) as [number[], number[], number[]];
        const [beginMask, endMask] = [Number(attr.begin_mask?.i ?? 0), Number(attr.end_mask?.i ?? 0)];
        const starts = begin.map((b, i) => (beginMask & (1 << i) ? (step[i]! > 0 ? 0 : UNBOUNDED) : b));
        const ends = end.map((e, i) => (endMask & (1 << i) ? (step[i]! > 0 ? UNBOUNDED : -UNBOUNDED) : e));
        const axes = begin.map((_, i) => i);
        emit("Slice", [plain(x), int64s(starts), int64s(ends), int64s(axes), int64s(step)], name, false);
        break;
      }
      case "GatherV2":
        if (Number(attr.batch_dims?.i ?? 0) !== 0)
          throw new Error(`convertGraphModel: ${name} uses batch_dims`);
        emit("Gather", [plain(x), plain(y)], name, false, [{ name: "axis", int: values(inputs[2]!)[0]! }]);
        break;
      case "GatherNd": {
        // ONNX wants int64 indices; TensorFlow's are int32.
        const indices = emit("Cast", [plain(y)], `${name}/indices`, false, [{ name: "to", int: ELEM.int64 }]);
        emit("GatherND", [plain(x), indices], name, false);
        break;
      }
      case "BatchMatMulV2": {
        // An adjoint operand is transposed by a one-operand Einsum, which needs no rank.
        const operand = (ref: string, adjoint: boolean | undefined, side: string) =>
          adjoint
            ? emit("Einsum", [plain(ref)], `${name}/${side}`, false, [
                { name: "equation", string: "...ij->...ji" },
              ])
            : plain(ref);
        emit("MatMul", [operand(x, attr.adj_x?.b, "x"), operand(y, attr.adj_y?.b, "y")], name, false);
        break;
      }
      case "Sum":
      case "Max":
      case "Min":
      case "Prod": {
        // Over no axes TensorFlow returns the input, where ONNX would reduce every axis.
        const axes = values(y);
        const keepdims = { name: "keepdims", int: attr.keep_dims?.b ? 1 : 0 };
        if (axes.length === 0) emit("Identity", [plain(x)], name, false);
        else if (node.op === "Sum") emit("ReduceSum", [plain(x), int64s(axes)], name, false, [keepdims]);
        else emit(`Reduce${node.op}`, [plain(x)], name, false, [{ name: "axes", ints: axes }, keepdims]);
        break;
      }
      default:
        throw new Error(`convertGraphModel: op ${node.op} (${name}) is not supported`);
    }
  }

  graph.outputs = outputs.map((ref, i) => emit("Identity", [plain(ref)], `output${i}`, false));
  return encodeModel(graph);
}
