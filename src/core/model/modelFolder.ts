import { ModelFolderError, type ModelSource } from './modelSource.ts';
import { readModelSpec, type ModelSpec, type ModelVariant } from './modelSpec.ts';
import { TextTokenizer } from './textTokenizer.ts';

/** A model folder read and checked, ready for a runtime to create a session from `onnx`. */
export interface ModelFolder {
  spec: ModelSpec;
  tokenizer: TextTokenizer;
  onnx: Uint8Array;
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
