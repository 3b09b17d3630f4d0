/**
 * Builds an ONNX model node by node and writes it in one pass: the nodes, inputs and outputs through
 * protobufjs, the initializers' raw data straight into the final buffer. A checkpoint's weights are thus
 * copied once, from the file (or its float32 widening) into the model bytes — never held in a second
 * intermediate message as `encodeModel` would hold them.
 */
import protobuf from 'protobufjs';
import { NodeProto, nodeObject, ONNX_FLOAT, ONNX_INT64, TensorProto, type Attribute, type GraphIO } from './onnxProto.ts';

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        // The model and graph without field 7 / field 5: those are written by hand below (same field numbers).
        ModelHead: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const ModelHead = root.lookupType('onnx.ModelHead');
const GraphProto = protobuf.Root.fromJSON({
  nested: {
    g: {
      nested: {
        GraphHead: {
          fields: {
            node: { rule: 'repeated', type: 'bytes', id: 1 },
            name: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'bytes', id: 11 },
            output: { rule: 'repeated', type: 'bytes', id: 12 },
          },
        },
      },
    },
  },
}).lookupType('g.GraphHead');
// Nodes and value infos are encoded with the full schema in onnxProto.ts, then embedded as bytes.
const ValueInfoProto = TensorProto.root.lookupType('onnx.ValueInfoProto');

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const WIRE_LENGTH_DELIMITED = 2;

/** An initializer whose values are produced only when the model is written (so they exist once). */
interface PendingInitializer {
  name: string;
  dims: number[];
  dataType: number;
  byteLength: number;
  /** Writes exactly `byteLength` bytes of little-endian values into `target`. */
  write(target: Uint8Array): void;
}

export class GraphBuilder {
  private readonly nodes: Uint8Array[] = [];
  private readonly inputs: GraphIO[] = [];
  private readonly outputs: GraphIO[] = [];
  private readonly initializers: PendingInitializer[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  input(io: GraphIO): string {
    this.inputs.push(io);
    return io.name;
  }

  /** Declares `value` (a node output) a graph output named `io.name`. */
  output(value: string, io: GraphIO): void {
    this.op('Identity', [value], undefined, io.name);
    this.outputs.push(io);
  }

  /** Adds one node; returns its (first) output's name. */
  op(type: string, inputs: string[], attributes?: Record<string, Attribute>, outputName?: string): string {
    const output = outputName ?? `${type}_${this.counter}`;
    const node = nodeObject({ op: type, inputs, outputs: [output], attributes }, `${type}_${this.counter++}`);
    this.nodes.push(NodeProto.encode(NodeProto.fromObject(node)).finish());
    return output;
  }

  /** A node with several outputs (Split); returns their names. */
  opMulti(type: string, inputs: string[], outputCount: number, attributes?: Record<string, Attribute>): string[] {
    const id = this.counter++;
    const outputs = Array.from({ length: outputCount }, (_, i) => `${type}_${id}_${i}`);
    const node = nodeObject({ op: type, inputs, outputs, attributes }, `${type}_${id}`);
    this.nodes.push(NodeProto.encode(NodeProto.fromObject(node)).finish());
    return outputs;
  }

  /** A float32 initializer whose values `produce` returns when the model is written. */
  floatWeight(name: string, dims: readonly number[], produce: () => Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: ONNX_FLOAT,
      byteLength: count * 4,
      write: (target) => {
        const values = produce();
        if (values.length !== count) throw new Error(`${name}: produced ${values.length} values for shape [${dims.join(', ')}]`);
        target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      },
    });
    return name;
  }

  /** A float32 scalar or small constant, shared by every node that asks for the same values. */
  floats(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    const key = `f:${dims.join('x')}:${values.join(',')}`;
    return this.shared(key, () => this.floatWeight(`const_${this.constants.size}`, dims, () => Float32Array.from(values)));
  }

  /** An int64 constant (shapes, axes, indices). */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i:${dims.join('x')}:${values.join(',')}`;
    return this.shared(key, () => {
      const name = `const_${this.constants.size}`;
      const data = BigInt64Array.from(values.map(BigInt));
      this.initializers.push({
        name,
        dims: [...dims],
        dataType: ONNX_INT64,
        byteLength: data.byteLength,
        write: (target) => target.set(new Uint8Array(data.buffer)),
      });
      return name;
    });
  }

  private shared(key: string, make: () => string): string {
    let name = this.constants.get(key);
    if (!name) this.constants.set(key, (name = make()));
    return name;
  }

  /** The model's bytes: one allocation for the whole file; each initializer's values are produced and copied once. */
  finish(opset: number): Uint8Array {
    const head = ModelHead.encode(
      ModelHead.fromObject({ irVersion: 8, producerName: 'embedding-lab', producerVersion: '1', opsetImport: [{ domain: '', version: opset }] }),
    ).finish();
    const valueInfo = (io: GraphIO) =>
      ValueInfoProto.encode(
        ValueInfoProto.fromObject({
          name: io.name,
          type: { tensorType: { elemType: io.elemType, shape: { dim: io.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
        }),
      ).finish();
    const graphHead = GraphProto.encode(
      GraphProto.fromObject({ node: this.nodes, name: this.name, input: this.inputs.map(valueInfo), output: this.outputs.map(valueInfo) }),
    ).finish();
    const tensorHeads = this.initializers.map((t) => TensorProto.encode(TensorProto.fromObject({ name: t.name, dims: t.dims, dataType: t.dataType })).finish());
    const tensorLengths = this.initializers.map((t, i) => tensorHeads[i].length + fieldOverhead(TENSOR_RAW_DATA, t.byteLength) + t.byteLength);
    const graphLength = graphHead.length + tensorLengths.reduce((sum, n) => sum + fieldOverhead(GRAPH_INITIALIZER, n) + n, 0);
    const total = head.length + fieldOverhead(MODEL_GRAPH, graphLength) + graphLength;
    if (total > 2 ** 31 - 1) throw new RangeError(`the model would be ${total} bytes; protobuf limits a model to 2 GiB`);

    const out = new Uint8Array(total);
    let at = 0;
    const put = (bytes: Uint8Array) => {
      out.set(bytes, at);
      at += bytes.length;
    };
    const tag = (field: number, length: number) => {
      at = writeVarint(out, at, (field << 3) | WIRE_LENGTH_DELIMITED);
      at = writeVarint(out, at, length);
    };
    put(head);
    tag(MODEL_GRAPH, graphLength);
    put(graphHead);
    this.initializers.forEach((t, i) => {
      tag(GRAPH_INITIALIZER, tensorLengths[i]);
      put(tensorHeads[i]);
      tag(TENSOR_RAW_DATA, t.byteLength);
      t.write(out.subarray(at, at + t.byteLength));
      at += t.byteLength;
    });
    if (at !== total) throw new Error(`model writer: wrote ${at} of ${total} bytes`);
    return out;
  }
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** Bytes of a length-delimited field's tag and length prefix. */
function fieldOverhead(field: number, length: number): number {
  return varintLength((field << 3) | WIRE_LENGTH_DELIMITED) + varintLength(length);
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}
