import path from 'node:path';
import { hubModelSource, parseHubModel } from '../core/model/hubModelSource.ts';
import type { ModelSource } from '../core/model/modelSource.ts';
import { fileModelSource } from './fileModelSource.ts';

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

/** What a report calls the model: the folder's name, or the hub id's name part (with its revision). */
export function cliModelName(spec: string): string {
  if (!spec.startsWith(HUB_PREFIX)) return path.basename(path.resolve(spec));
  return spec.slice(HUB_PREFIX.length).split('/').pop()!;
}
