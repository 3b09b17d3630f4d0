import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GraphFile, GraphWriter } from '../core/model/modelFolder.ts';
import type { SerializedModel } from '../core/onnx/graphBuilder.ts';
import { splitExportExternalData } from '../core/onnx/exportExternalData.ts';

const MODEL_FILE = 'model.onnx';
const DATA_FILE = 'model.onnx.data';

/**
 * Writes a graph built from safetensors to a private temporary folder, as an ONNX model with its weights
 * in an external data file, so that the CLI makes its session from the file's path. onnxruntime then
 * reads each tensor from the data file straight into its own buffer: the load never holds the weights,
 * the graph and onnxruntime's copy at once (the graph is produced one tensor at a time), and the session's
 * own peak is about the weights once instead of twice (`npm run bench:encode`). The digest is taken on the
 * way over the model's single-file bytes, so it is the one the same graph built in memory has.
 */
export const writeGraphFile: GraphWriter = (model) => writeGraphFileIn(tmpdir(), model);

/** {@link writeGraphFile} under `parent`: a folder of its own there, deleted on failure or by `remove`. */
export async function writeGraphFileIn(parent: string, model: SerializedModel): Promise<GraphFile> {
  return inOwnFolder(parent, (folder) => writeGraphFiles(folder, model));
}

/**
 * An ONNX export as {@link writeGraphFile} writes a built graph: the message with its initializers as
 * external data, in a private temporary folder. The digest is the export's own (its bytes as read). The
 * caller drops the bytes once this returns, so that the session is made with nothing of them in memory.
 */
export function writeExportFile(model: Uint8Array): GraphFile {
  return inOwnFolder(tmpdir(), (folder) => {
    const split = splitExportExternalData(model, DATA_FILE);
    writeSplitModel(folder, split.model, split.tensors, split.dataByteLength);
    return createHash('sha256').update(model).digest('hex');
  });
}

/** Writes `model.onnx` and `model.onnx.data` into `folder` (neither may exist yet); returns the model's SHA-256. */
export function writeGraphFiles(folder: string, model: SerializedModel): string {
  const hash = createHash('sha256');
  const layout = model.externalData(DATA_FILE);
  function* externalTensors() {
    for (const { bytes, tensor } of model.pieces()) {
      hash.update(bytes);
      const offset = tensor === undefined ? undefined : layout.offsets.get(tensor);
      if (offset !== undefined) yield { offset, bytes };
    }
  }
  writeSplitModel(folder, layout.model, externalTensors(), layout.dataByteLength);
  return hash.digest('hex');
}

/** A model file written by `write` into a new folder under `parent`; the folder goes on failure, on `remove` or at exit. */
function inOwnFolder(parent: string, write: (folder: string) => string): GraphFile {
  const folder = mkdtempSync(path.join(parent, 'embedlab-graph-'));
  const remove = removalOf(folder);
  try {
    return { path: path.join(folder, MODEL_FILE), sha256: write(folder), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** The message as `model.onnx`, each tensor's raw data at its offset in `model.onnx.data`. */
function writeSplitModel(folder: string, message: Uint8Array, tensors: Iterable<{ offset: number; bytes: Uint8Array }>, dataByteLength: number): void {
  writeFileSync(path.join(folder, MODEL_FILE), message, { mode: 0o600, flag: 'wx' });
  const fd = openSync(path.join(folder, DATA_FILE), 'wx', 0o600);
  try {
    for (const { offset, bytes } of tensors) {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, offset + at);
    }
    // The padding before an aligned offset is a hole: the file's length still covers every tensor.
    ftruncateSync(fd, dataByteLength);
  } finally {
    closeSync(fd);
  }
}

/** Deletes `folder` when called, or when the process exits first (a failed run, an interrupt the CLI handles). */
function removalOf(folder: string): () => void {
  const remove = () => {
    process.off('exit', remove);
    rmSync(folder, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return remove;
}
