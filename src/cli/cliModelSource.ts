import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { hubModelSource, parseHubModel } from '../core/model/hubModelSource.ts';
import { ModelFolderError, type ModelSource } from '../core/model/modelSource.ts';
import { fileModelSource } from './fileModelSource.ts';
import { checkPath, pathProblem } from './inputPath.ts';

/** The prefix that marks a `--model` as a Hugging Face hub repository rather than a folder. */
export const HUB_PREFIX = 'hf:';

/**
 * A `--model` value as a model source: `hf:owner/name[@revision]` from the hub (HF_TOKEN for private and
 * gated repositories, HF_ENDPOINT for another hub address, as huggingface_hub reads them), else a folder.
 */
export function cliModelSource(spec: string, env: NodeJS.ProcessEnv = process.env): ModelSource {
  if (!spec.startsWith(HUB_PREFIX)) return fileModelSource(spec);
  return hubModelSource(parseHubModel(spec.slice(HUB_PREFIX.length), env.HF_TOKEN || undefined), env.HF_ENDPOINT ? { hubUrl: env.HF_ENDPOINT.replace(/\/+$/, '') } : {});
}

/** Files a model load may read, by name: what the folder's pre-check looks at. */
const MODEL_FILE = /\.(json|onnx|onnx_data|safetensors|txt|model|bin)$/i;

/**
 * The cheap checks of a `--model` folder, made before any data is read: that it exists and is a folder, and
 * that none of the files a load reads, at its top and in `onnx/`, is a named pipe, socket or device (each
 * file is checked again as it is read). Hub models are checked when they are fetched.
 */
export async function checkModelLocation(spec: string): Promise<void> {
  if (spec.startsWith(HUB_PREFIX)) return;
  await checkPath(spec, 'folder', 'a model folder (tokenizer.json, config.json, onnx/model.onnx or model.safetensors)');
  for (const folder of [spec, path.join(spec, 'onnx')]) {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isFile() || entry.isDirectory() || !MODEL_FILE.test(entry.name)) continue;
      const problem = await pathProblem(path.join(folder, entry.name), 'file', 'a file');
      if (problem) throw new ModelFolderError(spec, path.relative(spec, path.join(folder, entry.name)).split(path.sep).join('/'), problem.message);
    }
  }
}

/** What a report calls the model: the folder's name, or the hub id's name part (with its revision). */
export function cliModelName(spec: string): string {
  if (!spec.startsWith(HUB_PREFIX)) return path.basename(path.resolve(spec));
  return spec.slice(HUB_PREFIX.length).split('/').pop()!;
}
