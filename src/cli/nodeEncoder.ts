import v8 from 'node:v8';
import vm from 'node:vm';
import { encodeTexts, type EncodeOptions, type Embeddings } from '../core/model/encoder.ts';
import { readModelFolder, withGraphFile, withoutOnnxBytes, type ModelFolder, type ReadModelOptions } from '../core/model/modelFolder.ts';
import type { ModelVariant } from '../core/model/modelSpec.ts';
import { checkOnnxModel, OrtRunner } from '../core/model/ortRunner.ts';
import { cliModelSource } from './cliModelSource.ts';
import { writeExportFile, writeGraphFile } from './graphFile.ts';
import { cliRuntime } from './onnxRuntime.ts';

export interface NodeEncoder {
  folder: ModelFolder;
  backend: string;
  /** Why it runs there (native, or the WASM fallback and how to get native). */
  backendReason: string;
  encode(texts: readonly string[], options?: EncodeOptions): Promise<Embeddings>;
  release(): Promise<void>;
}

export async function loadNodeEncoder(modelPath: string, options: ModelVariant | ReadModelOptions = 'fp32'): Promise<NodeEncoder> {
  return openNodeEncoder(await readNodeModelFolder(modelPath, options));
}

/**
 * A model folder read as the CLI reads it: its model goes to a temporary file with the weights as external
 * data — a graph built from safetensors is written there as it is produced ({@link writeGraphFile}), an export
 * is split into it from its bytes ({@link writeExportFile}) —, and {@link openNodeEncoder} makes the session
 * from the file and deletes it. Callers that need the bytes (`quantize`) read the folder with readModelFolder.
 */
export async function readNodeModelFolder(modelPath: string, options: ModelVariant | ReadModelOptions = 'fp32'): Promise<ModelFolder> {
  const read = typeof options === 'string' ? { variant: options } : options;
  // onnxruntime-web reads no files: on it (no native runtime installed) the model stays in memory, as in the page.
  if (!(await cliRuntime()).native) return readModelFolder(cliModelSource(modelPath), { externalWeights: true, ...read });
  const folder = await readModelFolder(cliModelSource(modelPath), { writeGraph: writeGraphFile, ...read });
  if (folder.graphFile) return folder;
  // An export (or an int8 variant made here) goes to a file too, its weights as external data: onnxruntime's
  // session from it peaks at about the weights once, where from the bytes it needs them twice beside them.
  checkOnnxModel(folder.spec, folder.onnx);
  let graphFile;
  try {
    graphFile = writeExportFile(folder.onnx);
  } catch (error) {
    // A message the splitter cannot walk below its top level: onnxruntime, given the bytes, names the problem.
    if (error instanceof RangeError) return folder;
    throw error;
  }
  return withGraphFile(folder, graphFile);
}

/**
 * An encoder over a folder already read (or a variant made in memory). Its `folder` keeps the digest of
 * the ONNX bytes, not the bytes: the session holds the weights, and the encoder must not hold them again
 * (the caller's own `folder` still has them, for a caller that needs them, like `quantize`).
 */
export async function openNodeEncoder(folder: ModelFolder): Promise<NodeEncoder> {
  const runtime = await cliRuntime();
  if (folder.graphFile && !runtime.native) throw new Error(`${folder.spec.name}: onnxruntime-web cannot make a session from a file; read the folder with readModelFolder`);
  collectUnreachable();
  let runner: OrtRunner;
  try {
    const options = folder.externalData ? { ...runtime.sessionOptions, externalData: [folder.externalData] } : runtime.sessionOptions;
    runner = await OrtRunner.create(runtime.ort, folder.spec, folder.graphFile?.path ?? folder.onnx, options);
  } finally {
    // The session holds the weights now (or failed): the file has served.
    folder.graphFile?.remove();
  }
  let kept: ModelFolder;
  try {
    kept = await withoutOnnxBytes(folder);
  } catch (error) {
    await runner.release();
    throw error;
  }
  return {
    folder: kept,
    backend: runtime.name,
    backendReason: runtime.reason,
    encode: (texts, options) => encodeTexts(texts, kept.tokenizer, runner, kept.spec, options),
    release: () => runner.release(),
  };
}

let fullCollection: (() => void) | null = null;

/**
 * A full garbage collection before the session is made. What the read left unreachable — a safetensors
 * file's bytes once the graph is written from them, about the weights' size — is otherwise still resident
 * when onnxruntime makes its own copies (nothing runs V8's collector between the read and the native session
 * creation), and the load's peak holds the weights once more. Node has no API for it but the flag.
 */
function collectUnreachable(): void {
  if (!fullCollection) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (!exposed) v8.setFlagsFromString('--expose-gc');
    fullCollection = exposed ?? (vm.runInNewContext('gc') as () => void);
  }
  fullCollection();
}

