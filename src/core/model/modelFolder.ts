import { ModelFolderError, type ModelSource } from './modelSource.ts';
import { ONNX_FILES, readModelSpec, type ModelSpec, type ModelVariant } from './modelSpec.ts';
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

/**
 * Where each variant's weights may sit, in order: the sentence-transformers layout first, then what plain
 * optimum exports (model.onnx at the root) and some int8 exporters (model_int8.onnx) write.
 */
const ONNX_CANDIDATES: Record<ModelVariant, readonly string[]> = {
  fp32: [ONNX_FILES.fp32, 'model.onnx'],
  fp16: [ONNX_FILES.fp16],
  quantized: [ONNX_FILES.quantized, INT8_ALIAS],
};

/** Reads configuration, tokenizer and ONNX weights; every failure names the file at fault. */
export async function readModelFolder(source: ModelSource, variant: ModelVariant = 'fp32'): Promise<ModelFolder> {
  const spec = await readModelSpec(source, variant);
  const tokenizer = TextTokenizer.fromSpec(spec);
  const found = await readOnnx(source, variant);
  if (found) {
    spec.onnxFile = found.file;
    return { spec, tokenizer, onnx: found.onnx };
  }
  if (variant === 'quantized') return madeInt8(source, spec, tokenizer);
  throw new ModelFolderError(
    source.name,
    spec.onnxFile,
    variant === 'fp32' ? 'not found (nor model.onnx at the top of the folder): no ONNX export to run' : `not found: this folder has no ${variant} export`,
  );
}

/** The first of the variant's candidate files the folder has; null when it has none. */
async function readOnnx(source: ModelSource, variant: ModelVariant): Promise<{ file: string; onnx: Uint8Array } | null> {
  for (const file of ONNX_CANDIDATES[variant]) {
    const onnx = await source.read(file);
    if (onnx === null) continue;
    if (onnx.length < 16) throw new ModelFolderError(source.name, file, `is ${onnx.length} bytes long: not an ONNX model`);
    return { file, onnx };
  }
  return null;
}

/**
 * A folder with only fp32 weights asked for int8: the lab quantizes them itself (dynamic int8, the graph
 * onnxruntime's `quantize_dynamic` makes) and says so; the page and `embedlab quantize` offer the file.
 * Configuration and tokenizer are the ones already read: only the fp32 weights are read besides.
 */
async function madeInt8(source: ModelSource, spec: ModelSpec, tokenizer: TextTokenizer): Promise<ModelFolder> {
  const fp32 = await readOnnx(source, 'fp32');
  if (!fp32) throw new ModelFolderError(source.name, ONNX_FILES.fp32, 'not found (nor model.onnx at the top of the folder): no ONNX export to run');
  let made;
  try {
    made = quantizeDynamic(fp32.onnx);
  } catch (error) {
    if (error instanceof QuantizeError) throw new ModelFolderError(source.name, fp32.file, `cannot be quantized to int8: ${error.message}`);
    throw error;
  }
  spec.onnxFile = ONNX_FILES.quantized;
  spec.notes.push(
    `no int8 export in the folder: made here from ${fp32.file} by dynamic int8 quantization (${made.quantizedNodes} MatMul/Gemm weights, ` +
      `${(fp32.onnx.length / 1e6).toFixed(1)} → ${(made.model.length / 1e6).toFixed(1)} MB); save it as onnx/model_quantized.onnx to reuse it`,
  );
  return { spec, tokenizer, onnx: made.model, madeHere: true };
}
