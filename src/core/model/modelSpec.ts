import { ModelFolderError, readJson, readJsonValue, type ModelSource } from './modelSource.ts';
import { POOLING_MODES, type PoolingMode } from '../kernels/pooling/poolingModes.ts';

/** Which ONNX export to load: the variants Transformers.js-style folders ship under `onnx/`. */
export type ModelVariant = 'fp32' | 'fp16' | 'quantized';

export const ONNX_FILES: Record<ModelVariant, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  quantized: 'onnx/model_quantized.onnx',
};

/** Defaults sentence-transformers' own loader would not need, stated to the user whenever they apply. */
export const DEFAULT_POOLING: PoolingMode = 'mean';
export const DEFAULT_MAX_SEQ_LENGTH = 256;

/** Everything about a model folder that is not the weights themselves. */
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
  pooling: PoolingMode[];
  normalize: boolean;
  maxSeqLength: number;
  /** Plain sentences about defaults taken and files missing, shown beside the model. */
  notes: string[];
}

/**
 * Reads a model folder's configuration: tokenizer files, config.json, and the sentence-transformers
 * pipeline description (modules.json, the pooling config, Normalize, sentence_bert_config.json).
 * Throws {@link ModelFolderError} naming the file for anything that makes the folder unusable.
 */
export async function readModelSpec(source: ModelSource, variant: ModelVariant = 'fp32'): Promise<ModelSpec> {
  const notes: string[] = [];
  const tokenizerJson = await readJson(source, 'tokenizer.json');
  if (!tokenizerJson) {
    throw new ModelFolderError(source.name, 'tokenizer.json', 'not found; the lab needs the fast-tokenizer file that Transformers exports');
  }
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) {
    throw new ModelFolderError(source.name, 'tokenizer.json', 'has no "model" section; is it a Hugging Face tokenizer file?');
  }
  const tokenizerConfig = (await readJson(source, 'tokenizer_config.json')) ?? {};
  const config = await readJson(source, 'config.json');
  if (!config) notes.push('config.json is missing: the hidden size is taken from the ONNX output.');

  const hiddenSize = positiveInt(config, 'hidden_size', source.name, 'config.json');
  const maxPositions = positiveInt(config, 'max_position_embeddings', source.name, 'config.json');
  const vocabSize = positiveInt(config, 'vocab_size', source.name, 'config.json');

  const modules = await readModules(source);
  const poolingPath = modules ? modules.poolingPath : '1_Pooling';
  const poolingConfig = poolingPath === null ? null : await readJson(source, `${poolingPath}/config.json`);
  let pooling: PoolingMode[];
  if (poolingConfig) {
    pooling = parsePooling(poolingConfig, source.name, `${poolingPath}/config.json`);
    const dim = poolingConfig.word_embedding_dimension ?? poolingConfig.embedding_dimension;
    if (typeof dim === 'number' && hiddenSize !== null && dim !== hiddenSize) {
      throw new ModelFolderError(
        source.name,
        `${poolingPath}/config.json`,
        `expects token embeddings of size ${dim} but config.json says hidden_size ${hiddenSize}`,
      );
    }
  } else {
    pooling = [DEFAULT_POOLING];
    notes.push(`No pooling config (${poolingPath ?? 'modules.json lists no Pooling module'}): using mean pooling.`);
  }

  let normalize: boolean;
  if (modules) {
    normalize = modules.normalize;
    if (!normalize) notes.push('modules.json has no Normalize module: embeddings are not L2-normalised (cosine is still used for similarity).');
  } else {
    normalize = true;
    notes.push('No modules.json: assuming mean pooling followed by L2 normalisation.');
  }

  const sbertConfig = await readJson(source, 'sentence_bert_config.json');
  const declaredMax = positiveInt(sbertConfig, 'max_seq_length', source.name, 'sentence_bert_config.json');
  let maxSeqLength = declaredMax ?? DEFAULT_MAX_SEQ_LENGTH;
  if (declaredMax === null) {
    notes.push(
      `${sbertConfig ? 'sentence_bert_config.json sets no max_seq_length' : 'No sentence_bert_config.json'}: truncating to ${DEFAULT_MAX_SEQ_LENGTH} tokens.`,
    );
  }
  if (maxPositions !== null && maxSeqLength > maxPositions) {
    notes.push(`max_seq_length ${maxSeqLength} exceeds max_position_embeddings ${maxPositions}: using ${maxPositions}.`);
    maxSeqLength = maxPositions;
  }

  const modelType = typeof config?.model_type === 'string' ? config.model_type : null;
  return {
    name: source.name,
    variant,
    onnxFile: ONNX_FILES[variant],
    tokenizerJson,
    tokenizerConfig,
    hiddenSize,
    maxPositions,
    vocabSize,
    modelType,
    pooling,
    normalize,
    maxSeqLength,
    notes,
  };
}

interface Modules {
  poolingPath: string | null;
  normalize: boolean;
}

async function readModules(source: ModelSource): Promise<Modules | null> {
  const list = await readJsonValue(source, 'modules.json');
  if (list === undefined) return null;
  if (!Array.isArray(list)) throw new ModelFolderError(source.name, 'modules.json', 'must hold a JSON array of modules');
  let poolingPath: string | null = null;
  let normalize = false;
  for (const entry of list) {
    const type = typeof entry?.type === 'string' ? entry.type : '';
    // Module type names moved between packages across sentence-transformers versions; the class name is stable.
    const className = type.split('.').pop();
    if (className === 'Pooling') poolingPath = typeof entry.path === 'string' && entry.path !== '' ? entry.path : '1_Pooling';
    if (className === 'Normalize') normalize = true;
  }
  return { poolingPath, normalize };
}

const LEGACY_POOLING_KEYS: Record<string, PoolingMode> = {
  pooling_mode_cls_token: 'cls',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_mean_sqrt_len_tokens: 'mean_sqrt_len_tokens',
  pooling_mode_weightedmean_tokens: 'weightedmean',
  pooling_mode_lasttoken: 'lasttoken',
};

/** Both config shapes: `pooling_mode: "mean"` (sentence-transformers ≥ 5) and the `pooling_mode_*_tokens` flags. */
export function parsePooling(config: Record<string, unknown>, sourceName: string, file: string): PoolingMode[] {
  const mode = config.pooling_mode;
  if (typeof mode === 'string') {
    const normalised = mode === 'mean_tokens' ? 'mean' : mode === 'cls_token' ? 'cls' : mode === 'max_tokens' ? 'max' : mode;
    if (!(POOLING_MODES as readonly string[]).includes(normalised)) {
      throw new ModelFolderError(sourceName, file, `pooling_mode "${mode}" is not one of ${POOLING_MODES.join(', ')}`);
    }
    return [normalised as PoolingMode];
  }
  const modes = POOLING_MODES.filter((m) =>
    Object.entries(LEGACY_POOLING_KEYS).some(([key, value]) => value === m && config[key] === true),
  );
  if (modes.length === 0) throw new ModelFolderError(sourceName, file, 'enables no pooling mode');
  return modes;
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
