import {
  concat,
  DATA_LOCATION_EXTERNAL,
  EXTERNAL_ALIGNMENT,
  EXTERNAL_MIN_BYTES,
  GRAPH_INITIALIZER,
  lengthDelimited,
  MODEL_GRAPH,
  splitFields,
  TENSOR_DATA_LOCATION,
  TENSOR_EXTERNAL_DATA,
  TENSOR_RAW_DATA,
  varintField,
} from './protoFields.ts';

/** StringStringEntryProto's key and value. */
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

/** An ONNX model rewritten with its initializers' raw data as external data: the message, and where each tensor goes. */
export interface ExportSplit {
  model: Uint8Array;
  /** Each external tensor's raw data (a view of the model given) and its offset in the data file. */
  tensors: { offset: number; bytes: Uint8Array }[];
  dataByteLength: number;
}

/**
 * An exported model (one self-contained message) as the same model with its graph's larger initializers
 * moved to the data file `location`, so that onnxruntime can read them from there rather than parse them
 * out of one message and copy them (see src/cli/graphFile.ts). Every other field — and every field of a
 * rewritten tensor but its raw data — is copied byte for byte. Tensors already external, tensors with typed
 * (not raw) data and initializers inside subgraphs stay as they are.
 */
export function splitExportExternalData(model: Uint8Array, location: string): ExportSplit {
  const tensors: ExportSplit['tensors'] = [];
  let dataByteLength = 0;
  const rewriteTensor = (payload: Uint8Array): Uint8Array | null => {
    const fields = splitFields(payload);
    const raw = fields.find((f) => f.field === TENSOR_RAW_DATA)?.payload;
    if (!raw || raw.length < EXTERNAL_MIN_BYTES || fields.some((f) => f.field === TENSOR_DATA_LOCATION || f.field === TENSOR_EXTERNAL_DATA)) return null;
    const offset = Math.ceil(dataByteLength / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
    tensors.push({ offset, bytes: raw });
    dataByteLength = offset + raw.length;
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const entry = (key: string, value: string) =>
      lengthDelimited(TENSOR_EXTERNAL_DATA, concat([lengthDelimited(ENTRY_KEY, utf8(key)), lengthDelimited(ENTRY_VALUE, utf8(value))]));
    return concat([
      ...fields.filter((f) => f.field !== TENSOR_RAW_DATA).map((f) => f.raw),
      entry('location', location),
      entry('offset', String(offset)),
      entry('length', String(raw.length)),
      varintField(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL),
    ]);
  };
  const rewriteGraph = (payload: Uint8Array): Uint8Array =>
    concat(
      splitFields(payload).map((f) => {
        const tensor = f.field === GRAPH_INITIALIZER && f.payload ? rewriteTensor(f.payload) : null;
        return tensor ? lengthDelimited(GRAPH_INITIALIZER, tensor) : f.raw;
      }),
    );
  const rewritten = concat(splitFields(model).map((f) => (f.field === MODEL_GRAPH && f.payload ? lengthDelimited(MODEL_GRAPH, rewriteGraph(f.payload)) : f.raw)));
  return { model: rewritten, tensors, dataByteLength };
}
