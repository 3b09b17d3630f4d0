/**
 * Dynamic int8 quantization of an ONNX model's MatMul/Gemm weights — the graph
 * `onnxruntime.quantization.quantize_dynamic(…, weight_type=QuantType.QInt8)` produces (per-tensor,
 * symmetric weights; activations quantized at run time):
 *
 *   x ──DynamicQuantizeLinear──▶ x_q (uint8), x_scale, x_zero_point
 *   MatMulInteger(x_q, W_q (int8), x_zero_point, 0) ──Cast(float)──▶ × (x_scale · W_scale) ──▶ y
 *
 * onnxruntime fuses this into MatMulIntegerToFloat when it optimises the session. Only the graph's node
 * and initializer lists are rewritten: every other field of the model and of the graph is copied byte for
 * byte, so nothing the exporter wrote (metadata, value infos, opset imports) is lost.
 */
import { concat, GRAPH_INITIALIZER, GRAPH_NODE, lengthDelimited, MODEL_GRAPH, MODEL_OPSET_IMPORT, splitFields, WIRE_LENGTH_DELIMITED, type Field } from './protoFields.ts';
import { NodeProto, nodeObject, ONNX_FLOAT, OperatorSetIdProto, TensorProto, tensorObject, type GraphNode, type Initializer } from './onnxProto.ts';

/** DynamicQuantizeLinear exists from opset 11. */
const MIN_OPSET = 11;
/** Symmetric int8 weights use [−127, 127], as onnxruntime's quantizer does (zero point 0). */
const WEIGHT_QMAX = 127;

export interface QuantizeReport {
  /** The quantized model. */
  model: Uint8Array;
  /** MatMul and Gemm nodes rewritten, and those left in float (no constant 2-D weight). */
  quantizedNodes: number;
  skippedNodes: number;
  /** Weight bytes before (float32) and after (int8). */
  weightBytes: { before: number; after: number };
}

export class QuantizeError extends Error {
  override name = 'QuantizeError';
}


interface DecodedNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: { name: string; i?: number | { toNumber(): number }; f?: number; type?: number }[];
}

interface DecodedTensor {
  name: string;
  dims: (number | { toNumber(): number })[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  dataLocation?: number;
}

export function quantizeDynamic(model: Uint8Array): QuantizeReport {
  const problem = onnxModelProblem(model);
  if (problem) throw new QuantizeError(`is not a valid ONNX model: ${problem}`);
  try {
    return quantizeModel(model);
  } catch (error) {
    if (error instanceof QuantizeError) throw error;
    // protobufjs' own words ("index out of range", "invalid wire type") say where, not what.
    throw new QuantizeError(`is not a valid ONNX model: its graph cannot be read (${(error as Error).message})`);
  }
}

function quantizeModel(model: Uint8Array): QuantizeReport {
  const modelFields = splitFields(model);
  const graphField = modelFields.find((f) => f.field === MODEL_GRAPH);
  if (!graphField?.payload) throw new QuantizeError('the model has no graph');
  const opset = modelFields
    .filter((f) => f.field === MODEL_OPSET_IMPORT && f.payload)
    .map((f) => OperatorSetIdProto.toObject(OperatorSetIdProto.decode(f.payload!), { longs: Number, defaults: true }) as { domain: string; version: number })
    .find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!opset || opset.version < MIN_OPSET) throw new QuantizeError(`the model imports opset ${opset?.version ?? 'none'} of the default domain; DynamicQuantizeLinear needs ${MIN_OPSET} or later`);

  const graphFields = splitFields(graphField.payload);
  const initializers = new Map<string, { field: Field; tensor: DecodedTensor }>();
  const initializerNames = new Map<Field, string>();
  for (const f of graphFields) {
    if (f.field !== GRAPH_INITIALIZER || !f.payload) continue;
    // Only the header is needed to decide; the data is read again for the weights that are quantized.
    const tensor = TensorProto.toObject(TensorProto.decode(f.payload), { defaults: true }) as DecodedTensor;
    initializers.set(tensor.name, { field: f, tensor });
    initializerNames.set(f, tensor.name);
  }
  const nodes = graphFields.filter((f) => f.field === GRAPH_NODE).map((f) => ({ field: f, node: NodeProto.toObject(NodeProto.decode(f.payload!), { defaults: true }) as DecodedNode }));

  const newInitializers: Initializer[] = [];
  const replacedWeights = new Set<string>();
  const quantizedActivations = new Map<string, { q: string; scale: string; zeroPoint: string }>();
  const weightBytes = { before: 0, after: 0 };
  let quantizedNodes = 0;
  let skippedNodes = 0;
  const rewritten: Uint8Array[] = [];
  // Names the written graph still reads: inputs of the nodes kept as they were, and Gemm biases.
  const stillRead = new Set<string>();

  for (const { field, node } of nodes) {
    const weight = quantizableWeight(node, initializers);
    if (node.domain === '' && (node.opType === 'MatMul' || node.opType === 'Gemm') && !weight) skippedNodes++;
    if (!weight) {
      rewritten.push(field.raw);
      for (const input of node.input) stillRead.add(input);
      continue;
    }
    if (weight.bias) stillRead.add(weight.bias);
    quantizedNodes++;
    const base = uniqueName(node, quantizedNodes);
    const input = node.input[0];
    let activation = quantizedActivations.get(input);
    const emitted: GraphNode[] = [];
    if (!activation) {
      activation = { q: `${input}_quantized`, scale: `${input}_scale`, zeroPoint: `${input}_zero_point` };
      quantizedActivations.set(input, activation);
      emitted.push({ op: 'DynamicQuantizeLinear', inputs: [input], outputs: [activation.q, activation.scale, activation.zeroPoint] });
    }
    const wName = `${weight.name}_quantized`;
    if (!replacedWeights.has(weight.name)) {
      const q = quantizeWeight(weight.values, weight.rows, weight.cols);
      newInitializers.push({ name: wName, dims: [weight.rows, weight.cols], data: q.values });
      newInitializers.push({ name: `${weight.name}_scale`, dims: [], data: Float32Array.of(q.scale) });
      newInitializers.push({ name: `${weight.name}_zero_point`, dims: [], data: Int8Array.of(0) });
      weightBytes.before += weight.values.length * 4;
      weightBytes.after += weight.values.length;
      replacedWeights.add(weight.name);
    }
    const output = node.output[0];
    const product = weight.bias ? `${base}_output_unbiased` : output;
    emitted.push(
      { op: 'MatMulInteger', inputs: [activation.q, wName, activation.zeroPoint, `${weight.name}_zero_point`], outputs: [`${base}_output_int32`] },
      { op: 'Cast', inputs: [`${base}_output_int32`], outputs: [`${base}_output_float`], attributes: { to: ONNX_FLOAT } },
      { op: 'Mul', inputs: [activation.scale, `${weight.name}_scale`], outputs: [`${base}_scale`] },
      { op: 'Mul', inputs: [`${base}_output_float`, `${base}_scale`], outputs: [product] },
    );
    if (weight.bias) emitted.push({ op: 'Add', inputs: [product, weight.bias], outputs: [output] });
    emitted.forEach((n, i) => rewritten.push(lengthDelimited(GRAPH_NODE, NodeProto.encode(NodeProto.fromObject(nodeObject(n, `${base}_${n.op}_${i}`))).finish())));
  }
  if (quantizedNodes === 0) throw new QuantizeError('no MatMul or Gemm node has a constant 2-D float weight: nothing to quantize');

  // Nodes in their place (order is topological), every initializer but the float weights no node reads
  // any more, then the new ones.
  const stillUsed = (name: string) => !replacedWeights.has(name) || stillRead.has(name);
  const graphOut: Uint8Array[] = [];
  let nodesWritten = false;
  for (const f of graphFields) {
    if (f.field === GRAPH_NODE) {
      if (!nodesWritten) graphOut.push(...rewritten);
      nodesWritten = true;
    } else if (f.field === GRAPH_INITIALIZER) {
      if (stillUsed(initializerNames.get(f)!)) graphOut.push(f.raw);
    } else {
      graphOut.push(f.raw);
    }
  }
  for (const tensor of newInitializers) graphOut.push(lengthDelimited(GRAPH_INITIALIZER, TensorProto.encode(TensorProto.fromObject(tensorObject(tensor))).finish()));
  const graph = concat(graphOut);
  const modelOut = modelFields.map((f) => (f.field === MODEL_GRAPH ? lengthDelimited(MODEL_GRAPH, graph) : f.raw));
  return { model: concat(modelOut), quantizedNodes, skippedNodes, weightBytes };
}

/**
 * Symmetric per-tensor int8: scale = max|W| / 127, q = clamp(round(W / scale), −127, 127), zero point 0.
 * Rounding is half to even, as NumPy's `np.round` in onnxruntime's quantizer.
 */
export function quantizeWeight(values: Float32Array, rows: number, cols: number): { values: Int8Array; scale: number } {
  let absMax = 0;
  for (const v of values) absMax = Math.max(absMax, Math.abs(v));
  const scale = Math.fround(absMax > 0 ? absMax / WEIGHT_QMAX : 1);
  const out = new Int8Array(rows * cols);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(-WEIGHT_QMAX, Math.min(WEIGHT_QMAX, roundHalfEven(Math.fround(values[i] / scale))));
  return { values: out, scale };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A MatMul with a constant 2-D float weight as its second input, or a plain Gemm (B transposed or not). */
function quantizableWeight(
  node: DecodedNode,
  initializers: ReadonlyMap<string, { tensor: DecodedTensor }>,
): { name: string; values: Float32Array; rows: number; cols: number; bias: string | null } | null {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return null;
  if (node.opType !== 'MatMul' && node.opType !== 'Gemm') return null;
  const weight = initializers.get(node.input[1])?.tensor;
  if (!weight || weight.dataType !== ONNX_FLOAT || weight.dims.length !== 2 || weight.dataLocation === 1) return null;
  let bias: string | null = null;
  let transpose = false;
  if (node.opType === 'Gemm') {
    const attr = (name: string) => node.attribute.find((a) => a.name === name);
    const number = (v: number | { toNumber(): number } | undefined) => (typeof v === 'object' ? v.toNumber() : v);
    const alpha = attr('alpha')?.f ?? 1;
    const beta = attr('beta')?.f ?? 1;
    if (alpha !== 1 || beta !== 1 || number(attr('transA')?.i) === 1) return null;
    transpose = number(attr('transB')?.i) === 1;
    bias = node.input[2] || null;
  }
  const [d0, d1] = weight.dims.map((d) => (typeof d === 'object' ? d.toNumber() : d));
  let values = floatValues(weight);
  if (values.length !== d0 * d1) return null;
  let [rows, cols] = [d0, d1];
  if (transpose) {
    values = transposed(values, d0, d1);
    [rows, cols] = [d1, d0];
  }
  return { name: weight.name, values, rows, cols, bias };
}

function floatValues(tensor: DecodedTensor): Float32Array {
  if (tensor.rawData && tensor.rawData.length) {
    const copy = tensor.rawData.slice();
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(tensor.floatData ?? []);
}

function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function uniqueName(node: DecodedNode, index: number): string {
  return `${(node.name || node.output[0] || 'matmul').replace(/[^\w./-]/g, '_')}_q${index}`;
}

/** ModelProto's fields whose wire type is fixed: ir_version (varint), graph and opset_import (messages). */
const MODEL_WIRE_TYPES: Record<number, number> = { 1: 0, [MODEL_GRAPH]: WIRE_LENGTH_DELIMITED, [MODEL_OPSET_IMPORT]: WIRE_LENGTH_DELIMITED };

/**
 * Why `bytes` are not an ONNX model — empty, text (a Git LFS pointer, an HTML page), cut short, not a
 * protobuf message, or one without a graph — or null when its top-level fields read as a ModelProto. Only
 * the top level is walked (the graph is one field, skipped by its length), so this costs nothing beside
 * loading the model, and a truncated file is caught here, by its last field's length.
 */
export function onnxModelProblem(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'the file is empty';
  const head = new TextDecoder().decode(bytes.subarray(0, 200));
  if (head.startsWith('version https://git-lfs')) return 'it is a Git LFS pointer, not the model itself (run git lfs pull in the model\'s repository)';
  if (/^[\t\n\r\x20-\x7e]{16}/.test(head) && /^\s*[<{#\w]/.test(head)) return `it is text ("${head.slice(0, 40).trim().replace(/\s+/g, ' ')}…"), not a binary ONNX protobuf`;
  let pos = 0;
  let graph = false;
  const varint = (): number | null => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.length) return null;
      const byte = bytes[pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return null;
  };
  const cutShort = (start: number, end: number) => `it is cut short (truncated?): the field at byte ${start} runs to byte ${end}, the file ends at ${bytes.length}`;
  while (pos < bytes.length) {
    const start = pos;
    const tag = varint();
    if (tag === null) return cutShort(start, bytes.length + 1);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0 || (MODEL_WIRE_TYPES[field] !== undefined && MODEL_WIRE_TYPES[field] !== wire)) return `byte ${start} starts no field a ModelProto has (field ${field}, wire type ${wire}): not an ONNX protobuf`;
    if (wire === 0) {
      if (varint() === null) return cutShort(start, bytes.length + 1);
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else if (wire === WIRE_LENGTH_DELIMITED) {
      const length = varint();
      if (length === null) return cutShort(start, bytes.length + 1);
      pos += length;
      if (field === MODEL_GRAPH) graph = true;
    } else {
      return `byte ${start} starts no protobuf field (wire type ${wire}): not an ONNX protobuf`;
    }
    if (pos > bytes.length) return cutShort(start, pos);
  }
  if (!graph) return 'it holds no graph';
  return null;
}

