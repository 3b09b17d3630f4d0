import { ModelFolderError, readJson, type ModelSource } from './modelSource.ts';
import type { PoolingMode } from '../kernels/pooling/poolingModes.ts';
import type { SimilarityFunction } from '../kernels/similarityTopK.ts';
import { deriveMaxSeqLength, SBERT_CONFIG_FILES } from './maxSeqLength.ts';
import { DEFAULT_POOLING, type PoolingModule } from './poolingConfig.ts';
import { readSentenceTransformersConfig } from './stConfig.ts';
import { readSentenceModules, type SentenceModule } from './stModules.ts';

export { DEFAULT_MAX_SEQ_LENGTH } from './maxSeqLength.ts';
export { DEFAULT_POOLING, parsePooling } from './poolingConfig.ts';
export type { SentenceModule } from './stModules.ts';

/** Which ONNX export to load: the variants Transformers.js-style folders ship under `onnx/`. */
export type ModelVariant = 'fp32' | 'fp16' | 'quantized';

export const ONNX_FILES: Record<ModelVariant, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  quantized: 'onnx/model_quantized.onnx',
};

/** Everything about a model folder that is not the encoder's weights. */
export interface ModelSpec {
  name: string;
  variant: ModelVariant;
  onnxFile: string;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** `hidden_size` from config.json, when given. */
  hiddenSize: number | null;
  /** `max_position_embeddings` from config.json, when given. */
  maxPositions: number | null;
  /** `vocab_size` from config.json, when given. */
  vocabSize: number | null;
  modelType: string | null;
  /** The pipeline after the Transformer, in modules.json order: one Pooling, then Dense and Normalize modules. */
  modules: SentenceModule[];
  /** The Pooling module's modes (a view of `modules`, for callers that only pool). */
  pooling: PoolingMode[];
  /** The Pooling module's `include_prompt`: false leaves the prompt's tokens out of pooling. */
  includePrompt: boolean;
  /** Whether the last module is Normalize: the embeddings are unit rows. */
  normalize: boolean;
  maxSeqLength: number;
  /** Where `maxSeqLength` came from (which file and key, or the bound that applied). */
  maxSeqLengthSource: string;
  /** `similarity_fn_name` of config_sentence_transformers.json; cosine when absent. */
  similarity: SimilarityFunction;
  /** Its `prompts` over ST's defaults (`query` and `document` always present, "" when unset). */
  prompts: Record<string, string>;
  defaultPromptName: string | null;
  /** Its `truncate_dim`: embeddings keep their first this-many values. */
  truncateDim: number | null;
  /** Plain sentences about defaults taken and files missing, shown beside the model. */
  notes: string[];
}

/**
 * Reads a model folder's configuration: tokenizer files, config.json, and the sentence-transformers
 * pipeline as it was saved (modules.json and each module's folder, sentence_bert_config.json,
 * config_sentence_transformers.json). Throws {@link ModelFolderError} naming the file for anything that
 * makes the folder unusable.
 */
export async function readModelSpec(source: ModelSource, variant: ModelVariant = 'fp32'): Promise<ModelSpec> {
  const notes: string[] = [];
  const tokenizerJson = await readTokenizerJson(source);
  const tokenizerConfig = (await readJson(source, 'tokenizer_config.json')) ?? {};
  const config = await readJson(source, 'config.json');
  if (!config) notes.push('config.json is missing: the hidden size is taken from the ONNX output.');

  const hiddenSize = positiveInt(config, 'hidden_size', source.name, 'config.json');
  const maxPositions = positiveInt(config, 'max_position_embeddings', source.name, 'config.json');
  const vocabSize = positiveInt(config, 'vocab_size', source.name, 'config.json');

  const modules = (await readSentenceModules(source, hiddenSize, notes)) ?? assumedModules(notes);
  const pooling = modules.find((m): m is PoolingModule => m.kind === 'pooling')!;
  const normalize = modules.at(-1)?.kind === 'normalize';
  if (!normalize) notes.push('modules.json does not end in a Normalize module: embeddings are not L2-normalised.');

  const sbert = await readSbertConfig(source);
  positiveInt(sbert.config, 'max_seq_length', source.name, sbert.file);
  const maxSeqLength = deriveMaxSeqLength({ sbertConfig: sbert.config, sbertFile: sbert.file, tokenizerConfig, config });
  notes.push(...maxSeqLength.notes);
  if (sbert.config?.do_lower_case === true) lowerCaseFirst(tokenizerJson);

  const stConfig = await readSentenceTransformersConfig(source, notes);
  if (stConfig.truncateDim !== null) notes.push(`config_sentence_transformers.json sets truncate_dim ${stConfig.truncateDim}: embeddings keep their first ${stConfig.truncateDim} values.`);

  return {
    name: source.name,
    variant,
    onnxFile: ONNX_FILES[variant],
    tokenizerJson,
    tokenizerConfig,
    hiddenSize,
    maxPositions,
    vocabSize,
    modelType: typeof config?.model_type === 'string' ? config.model_type : null,
    modules,
    pooling: pooling.modes,
    includePrompt: pooling.includePrompt,
    normalize,
    maxSeqLength: maxSeqLength.value,
    maxSeqLengthSource: maxSeqLength.source,
    ...stConfig,
    notes,
  };
}

async function readTokenizerJson(source: ModelSource): Promise<Record<string, unknown>> {
  const tokenizerJson = await readJson(source, 'tokenizer.json');
  if (!tokenizerJson) {
    throw new ModelFolderError(source.name, 'tokenizer.json', 'not found; the lab needs the fast-tokenizer file that Transformers exports');
  }
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) {
    throw new ModelFolderError(source.name, 'tokenizer.json', 'has no "model" section; is it a Hugging Face tokenizer file?');
  }
  return tokenizerJson;
}

/** Without modules.json the folder is a plain encoder export: the lab pools by the mean and normalises. */
function assumedModules(notes: string[]): SentenceModule[] {
  notes.push('No modules.json: assuming mean pooling followed by L2 normalisation.');
  return [
    { kind: 'pooling', path: '', modes: [DEFAULT_POOLING], includePrompt: true, embeddingDimension: null },
    { kind: 'normalize', path: '' },
  ];
}

/** The first module config `Transformer.load_config` would find (an empty one does not count). */
async function readSbertConfig(source: ModelSource): Promise<{ config: Record<string, unknown> | null; file: string }> {
  for (const file of SBERT_CONFIG_FILES) {
    const config = await readJson(source, file);
    if (config && Object.keys(config).length > 0) return { config, file };
  }
  return { config: null, file: SBERT_CONFIG_FILES[0] };
}

/**
 * `do_lower_case: true` in the module config: sentence-transformers puts a Lowercase normalizer first
 * unless the normalizer already is one or a Sequence holding one (`_has_lowercase`), so the lab does too.
 */
function lowerCaseFirst(tokenizerJson: Record<string, unknown>): void {
  const normalizer = tokenizerJson.normalizer as { type?: string; normalizers?: { type?: string }[] } | null | undefined;
  const parts = normalizer?.type === 'Sequence' ? (normalizer.normalizers ?? []) : normalizer ? [normalizer] : [];
  if (normalizer?.type === 'Lowercase' || (normalizer?.type === 'Sequence' && parts.some((n) => n.type === 'Lowercase'))) return;
  tokenizerJson.normalizer = { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, ...parts] };
}

function positiveInt(
  json: Record<string, unknown> | null,
  key: string,
  sourceName: string,
  file: string,
): number | null {
  if (!json || json[key] === undefined || json[key] === null) return null;
  const value = json[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ModelFolderError(sourceName, file, `${key} must be a positive integer, found ${JSON.stringify(value)}`);
  }
  return value;
}
