/**
 * Builds an ONNX model node by node and writes it in one pass: the nodes, inputs and outputs through
 * protobufjs, the initializers' raw data straight into the final buffer — or, piece by piece, to a file
 * (the CLI), so that the model's bytes are never held whole beside the weights they come from. A
 * checkpoint's weights are thus copied once, from the file (or its float32 widening) into the model
 * bytes — never held in a second intermediate message as `encodeModel` would hold them.
 */
import protobuf from 'protobufjs';
import { NodeProto, nodeObject, ONNX_FLOAT, ONNX_INT64, TensorProto, type Attribute, type GraphIO } from './onnxProto.ts';
import {
  DATA_LOCATION_EXTERNAL,
  EXTERNAL_ALIGNMENT,
  EXTERNAL_MIN_BYTES,
  GRAPH_INITIALIZER,
  MODEL_GRAPH,
  TENSOR_RAW_DATA,
  WIRE_LENGTH_DELIMITED,
} from './protoFields.ts';

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


/** An initializer whose values are produced only when the model is written (so they exist once). */
interface PendingInitializer {
  name: string;
  dims: number[];
  dataType: number;
  byteLength: number;
  /** Exactly `byteLength` bytes of little-endian values (a view of the checkpoint's file where it can be). */
  produce(): Uint8Array;
}

/** One piece of a model's bytes; `tensor` names the initializer when the piece is its raw data. */
export interface ModelPiece {
  bytes: Uint8Array;
  tensor?: string;
}

/**
 * The same model with its larger initializers in a data file beside it (ONNX external data): onnxruntime
 * then reads those tensors from the file into their own buffers, instead of parsing them out of the model
 * message and copying them again, which roughly halves a session's peak memory.
 */
export interface ExternalDataLayout {
  /** The model message itself: the graph, small initializers inline, the others pointing into the data file. */
  model: Uint8Array;
  /** Where each external tensor's raw data starts in the data file (every offset aligned). */
  offsets: Map<string, number>;
  dataByteLength: number;
}

/**
 * A model ready to be written: its length, and its bytes in order, produced piece by piece — each
 * initializer's values only when its turn comes, so that writing them out holds one tensor at a time.
 */
export interface SerializedModel {
  readonly byteLength: number;
  pieces(): Generator<ModelPiece>;
  /**
   * The external-data form of this model: initializers of at least `minBytes` go to the file `location`
   * (relative to the model file) at offsets aligned to `alignment`. Its data are the same pieces, each
   * written at its offset; the digest of {@link pieces} stays the model's, whichever form is written.
   */
  externalData(location: string, options?: { minBytes?: number; alignment?: number }): ExternalDataLayout;
}

/** The whole model in one buffer: one allocation, each piece copied into it once. */
export function modelBytes(model: SerializedModel): Uint8Array {
  const out = new Uint8Array(model.byteLength);
  let at = 0;
  for (const { bytes } of model.pieces()) {
    out.set(bytes, at);
    at += bytes.length;
  }
  if (at !== model.byteLength) throw new Error(`model writer: wrote ${at} of ${model.byteLength} bytes`);
  return out;
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
      produce: () => {
        const values = produce();
        if (values.length !== count) throw new Error(`${name}: produced ${values.length} values for shape [${dims.join(', ')}]`);
        return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
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
        produce: () => new Uint8Array(data.buffer),
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
    return modelBytes(this.serialized(opset));
  }

  /** The model laid out (every length known) but not yet written: see {@link SerializedModel}. */
  serialized(opset: number): SerializedModel {
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
    const initializers = [...this.initializers];
    const tensorHead = (t: PendingInitializer, external?: { location: string; offset: number }) =>
      TensorProto.encode(
        TensorProto.fromObject({
          name: t.name,
          dims: t.dims,
          dataType: t.dataType,
          ...(external && {
            dataLocation: DATA_LOCATION_EXTERNAL,
            externalData: [
              { key: 'location', value: external.location },
              { key: 'offset', value: String(external.offset) },
              { key: 'length', value: String(t.byteLength) },
            ],
          }),
        }),
      ).finish();
    // The model message around its initializers; `dataLength` is each one's inline raw data (0 when external).
    const layout = (heads: Uint8Array[], dataLength: (t: PendingInitializer) => number | null) => {
      const tensorLengths = initializers.map((t, i) => {
        const inline = dataLength(t);
        return heads[i].length + (inline === null ? 0 : fieldOverhead(TENSOR_RAW_DATA, inline) + inline);
      });
      const graphLength = graphHead.length + tensorLengths.reduce((sum, n) => sum + fieldOverhead(GRAPH_INITIALIZER, n) + n, 0);
      const byteLength = head.length + fieldOverhead(MODEL_GRAPH, graphLength) + graphLength;
      if (byteLength > 2 ** 31 - 1) throw new RangeError(`the model would be ${byteLength} bytes; protobuf limits a model to 2 GiB`);
      return { tensorLengths, graphLength, byteLength };
    };
    const heads = initializers.map((t) => tensorHead(t));
    const { tensorLengths, graphLength, byteLength } = layout(heads, (t) => t.byteLength);
    /** Tag, header and raw-data tag of initializer `i`, in one piece (the data follows). */
    const prefix = (i: number, heads: Uint8Array[], lengths: number[], inline: number | null) => {
      const out = new Uint8Array(fieldOverhead(GRAPH_INITIALIZER, lengths[i]) + heads[i].length + (inline === null ? 0 : fieldOverhead(TENSOR_RAW_DATA, inline)));
      const at = writeTag(out, 0, GRAPH_INITIALIZER, lengths[i]);
      out.set(heads[i], at);
      if (inline !== null) writeTag(out, at + heads[i].length, TENSOR_RAW_DATA, inline);
      return out;
    };
    const produced = (t: PendingInitializer) => {
      const data = t.produce();
      if (data.length !== t.byteLength) throw new Error(`model writer: ${t.name} produced ${data.length} of its ${t.byteLength} bytes`);
      return data;
    };
    return {
      byteLength,
      *pieces() {
        yield { bytes: head };
        yield { bytes: fieldTag(MODEL_GRAPH, graphLength) };
        yield { bytes: graphHead };
        for (const [i, t] of initializers.entries()) {
          yield { bytes: prefix(i, heads, tensorLengths, t.byteLength) };
          yield { bytes: produced(t), tensor: t.name };
        }
      },
      externalData(location, { minBytes = EXTERNAL_MIN_BYTES, alignment = EXTERNAL_ALIGNMENT } = {}) {
        const offsets = new Map<string, number>();
        let dataByteLength = 0;
        const externalHeads = initializers.map((t) => {
          if (t.byteLength < minBytes) return tensorHead(t);
          const offset = Math.ceil(dataByteLength / alignment) * alignment;
          offsets.set(t.name, offset);
          dataByteLength = offset + t.byteLength;
          return tensorHead(t, { location, offset });
        });
        const inline = (t: PendingInitializer) => (offsets.has(t.name) ? null : t.byteLength);
        const external = layout(externalHeads, inline);
        const model = new Uint8Array(external.byteLength);
        let at = 0;
        const put = (bytes: Uint8Array) => {
          model.set(bytes, at);
          at += bytes.length;
        };
        put(head);
        put(fieldTag(MODEL_GRAPH, external.graphLength));
        put(graphHead);
        initializers.forEach((t, i) => {
          put(prefix(i, externalHeads, external.tensorLengths, inline(t)));
          // Only constants are inline here, made from values the builder already holds.
          if (!offsets.has(t.name)) put(produced(t));
        });
        if (at !== model.length) throw new Error(`model writer: wrote ${at} of ${model.length} bytes`);
        return { model, offsets, dataByteLength };
      },
    };
  }
}

/** A length-delimited field's tag and length prefix, on their own. */
function fieldTag(field: number, length: number): Uint8Array {
  const out = new Uint8Array(fieldOverhead(field, length));
  writeTag(out, 0, field, length);
  return out;
}

function writeTag(out: Uint8Array, at: number, field: number, length: number): number {
  return writeVarint(out, writeVarint(out, at, (field << 3) | WIRE_LENGTH_DELIMITED), length);
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
