import { ModelFolderError, type ModelSource } from './modelSource.ts';
import { readModelSpec, type ModelSpec, type ModelVariant } from './modelSpec.ts';
import { TextTokenizer } from './textTokenizer.ts';
import { quantizeDynamic, QuantizeError } from '../onnx/quantizeDynamic.ts';

/** What some exporters call their int8 file. */
const INT8_ALIAS = 'onnx/model_int8.onnx';

/** A model folder read and checked, ready for a runtime to create a session from `onnx`. */
export interface ModelFolder {
  spec: ModelSpec;
  tokenizer: TextTokenizer;
  onnx: Uint8Array;
  /** True when the lab made this variant itself (dynamic int8 from the fp32 weights): `onnx` is worth saving. */
  madeHere?: boolean;
}

/** Reads configuration, tokenizer and ONNX weights; every failure names the file at fault. */
export async function readModelFolder(source: ModelSource, variant: ModelVariant = 'fp32'): Promise<ModelFolder> {
  const spec = await readModelSpec(source, variant);
  const tokenizer = TextTokenizer.fromSpec(spec);
  let onnx = await source.read(spec.onnxFile);
  if (onnx === null && variant === 'fp32') {
    // Plain optimum exports put model.onnx at the root rather than under onnx/.
    onnx = await source.read('model.onnx');
    if (onnx !== null) spec.onnxFile = 'model.onnx';
  }
  if (onnx === null && variant === 'quantized') {
    onnx = await source.read(INT8_ALIAS);
    if (onnx !== null) spec.onnxFile = INT8_ALIAS;
    else return madeInt8(source, spec, tokenizer);
  }
  if (onnx === null) {
    throw new ModelFolderError(
      source.name,
      spec.onnxFile,
      variant === 'fp32' ? 'not found (nor model.onnx at the top of the folder): no ONNX export to run' : `not found: this folder has no ${variant} export`,
    );
  }
  if (onnx.length < 16) throw new ModelFolderError(source.name, spec.onnxFile, `is ${onnx.length} bytes long: not an ONNX model`);
  return { spec, tokenizer, onnx };
}

/**
 * A folder with only fp32 weights asked for int8: the lab quantizes them itself (dynamic int8, the graph
 * onnxruntime's `quantize_dynamic` makes) and says so; the page and `embedlab quantize` offer the file.
 */
async function madeInt8(source: ModelSource, spec: ModelSpec, tokenizer: TextTokenizer): Promise<ModelFolder> {
  const fp32 = await readModelFolder(source, 'fp32');
  let made;
  try {
    made = quantizeDynamic(fp32.onnx);
  } catch (error) {
    if (error instanceof QuantizeError) throw new ModelFolderError(source.name, fp32.spec.onnxFile, `cannot be quantized to int8: ${error.message}`);
    throw error;
  }
  spec.onnxFile = 'onnx/model_quantized.onnx';
  spec.notes.push(
    `no int8 export in the folder: made here from ${fp32.spec.onnxFile} by dynamic int8 quantization (${made.quantizedNodes} MatMul/Gemm weights, ` +
      `${(fp32.onnx.length / 1e6).toFixed(1)} → ${(made.model.length / 1e6).toFixed(1)} MB); save it as onnx/model_quantized.onnx to reuse it`,
  );
  return { spec, tokenizer, onnx: made.model, madeHere: true };
}
