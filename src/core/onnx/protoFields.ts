import protobuf from 'protobufjs';

/**
 * A protobuf message taken apart one level deep, each field kept as the bytes it was written as: what lets
 * the quantizer and the external-data splitter rewrite the few fields they change and copy every other one
 * byte for byte, so nothing an exporter wrote is lost or re-encoded.
 */
export interface Field {
  field: number;
  /** The whole field: tag, length and payload, for verbatim copies. */
  raw: Uint8Array;
  /** The payload of a length-delimited field. */
  payload: Uint8Array | null;
}

export const WIRE_VARINT = 0;
export const WIRE_LENGTH_DELIMITED = 2;

/** ONNX's field numbers (onnx.proto) of the fields the lab's writers and rewriters touch. */
export const MODEL_GRAPH = 7;
export const MODEL_OPSET_IMPORT = 8;
export const GRAPH_NODE = 1;
export const GRAPH_INITIALIZER = 5;
export const TENSOR_RAW_DATA = 9;
export const TENSOR_EXTERNAL_DATA = 13;
export const TENSOR_DATA_LOCATION = 14;
/** TensorProto.DataLocation.EXTERNAL. */
export const DATA_LOCATION_EXTERNAL = 1;

/**
 * Where the lab puts external data: tensors at page-aligned offsets (onnxruntime reads or maps them in
 * pages); constants of under 1 KiB stay in the message.
 */
export const EXTERNAL_ALIGNMENT = 4096;
export const EXTERNAL_MIN_BYTES = 1024;

/** The top-level fields of a message, each with its raw bytes (and payload when length-delimited). */
export function splitFields(bytes: Uint8Array): Field[] {
  const reader = protobuf.Reader.create(bytes);
  const fields: Field[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const wire = tag & 7;
    let payload: Uint8Array | null = null;
    if (wire === WIRE_LENGTH_DELIMITED) {
      const length = reader.uint32();
      payload = bytes.subarray(reader.pos, reader.pos + length);
      reader.skip(length);
    } else {
      reader.skipType(wire);
    }
    fields.push({ field: tag >>> 3, raw: bytes.subarray(start, reader.pos), payload });
  }
  return fields;
}

export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const header = protobuf.Writer.create().uint32((field << 3) | WIRE_LENGTH_DELIMITED).uint32(payload.length).finish();
  return concat([header, payload]);
}

export function varintField(field: number, value: number): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | WIRE_VARINT).int32(value).finish();
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
