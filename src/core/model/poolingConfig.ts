/**
 * A sentence-transformers `Pooling` module's config (`1_Pooling/config.json`) as ST 6 reads it
 * (sentence_transformers/sentence_transformer/modules/pooling.py): `pooling_mode` a name or a list of
 * names, or the legacy `pooling_mode_*_tokens` flags; `include_prompt` (default true).
 */
import { POOLING_MODES, type PoolingMode } from '../kernels/pooling/poolingModes.ts';
import { ModelFolderError, readJson, type ModelSource } from './modelSource.ts';

export interface PoolingModule {
  kind: 'pooling';
  path: string;
  /** Concatenated in this order. */
  modes: PoolingMode[];
  /** False: the prompt's tokens are left out of pooling (the model still attends to them). */
  includePrompt: boolean;
  /** `embedding_dimension` (token embedding size) when the config gives it. */
  embeddingDimension: number | null;
}

/** Pooling's default mode (its constructor's `pooling_mode="mean"`), also used where no config exists. */
export const DEFAULT_POOLING: PoolingMode = 'mean';

/** In the order `_LEGACY_POOLING_MODE_KWARGS` lists them, which is the order ST concatenates them in. */
const LEGACY_POOLING_KEYS: Record<string, PoolingMode> = {
  pooling_mode_cls_token: 'cls',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_mean_sqrt_len_tokens: 'mean_sqrt_len_tokens',
  pooling_mode_weightedmean_tokens: 'weightedmean',
  pooling_mode_lasttoken: 'lasttoken',
};

/** Old spellings some exporters wrote for `pooling_mode`. */
const MODE_ALIASES: Record<string, PoolingMode> = { mean_tokens: 'mean', cls_token: 'cls', max_tokens: 'max' };

/**
 * The modes a pooling config enables. Like ST 6: legacy flags count only when `pooling_mode` is absent,
 * and a config that names no mode at all pools by the mean (`_convert_legacy_pooling_kwargs` falls back
 * to `("mean",)`; a config without any mode key gets the constructor's default).
 */
export function parsePooling(config: Record<string, unknown>, sourceName: string, file: string): PoolingMode[] {
  const mode = config.pooling_mode;
  if (mode !== undefined) {
    const names = Array.isArray(mode) ? mode : [mode];
    if (names.length === 0) throw new ModelFolderError(sourceName, file, 'pooling_mode is an empty list');
    return names.map((name) => knownMode(name, sourceName, file));
  }
  const modes = Object.entries(LEGACY_POOLING_KEYS)
    .filter(([key]) => config[key] === true)
    .map(([, value]) => value);
  return modes.length > 0 ? modes : [DEFAULT_POOLING];
}

function knownMode(name: unknown, sourceName: string, file: string): PoolingMode {
  const text = typeof name === 'string' ? (MODE_ALIASES[name] ?? name) : '';
  if (!(POOLING_MODES as readonly string[]).includes(text)) {
    throw new ModelFolderError(sourceName, file, `pooling_mode ${JSON.stringify(name)} is not one of ${POOLING_MODES.join(', ')}`);
  }
  return text as PoolingMode;
}

/** Whether the config names a mode in either shape (otherwise the mean is a default worth a note). */
function namesPoolingMode(config: Record<string, unknown>): boolean {
  return config.pooling_mode !== undefined || Object.keys(LEGACY_POOLING_KEYS).some((key) => config[key] === true);
}

/**
 * The Pooling module at `path`; a missing config means mean pooling over every token (with a note).
 * `hiddenSize` (config.json) is checked against the config's `embedding_dimension`.
 */
export async function readPoolingModule(
  source: ModelSource,
  path: string,
  hiddenSize: number | null,
  notes: string[],
): Promise<PoolingModule> {
  const file = `${path}/config.json`;
  const config = await readJson(source, file);
  if (!config) {
    notes.push(`No pooling config (${file}): using mean pooling.`);
    return { kind: 'pooling', path, modes: [DEFAULT_POOLING], includePrompt: true, embeddingDimension: null };
  }
  const modes = parsePooling(config, source.name, file);
  if (!namesPoolingMode(config)) notes.push(`${file} names no pooling mode: using mean pooling, sentence-transformers' default.`);
  const dim = config.embedding_dimension ?? config.word_embedding_dimension;
  if (typeof dim === 'number' && hiddenSize !== null && dim !== hiddenSize) {
    throw new ModelFolderError(source.name, file, `expects token embeddings of size ${dim} but config.json says hidden_size ${hiddenSize}`);
  }
  const includePrompt = config.include_prompt ?? true;
  if (typeof includePrompt !== 'boolean') {
    throw new ModelFolderError(source.name, file, `include_prompt must be true or false, found ${JSON.stringify(config.include_prompt)}`);
  }
  return { kind: 'pooling', path, modes, includePrompt, embeddingDimension: typeof dim === 'number' ? dim : null };
}
