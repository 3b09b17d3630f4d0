/**
 * `config_sentence_transformers.json`: what a saved model says about its own use, read as
 * `SentenceTransformer._parse_model_config` reads it (sentence_transformers/base/model.py and
 * sentence_transformer/model.py):
 *
 *   prompts: {name: text}, merged over the class defaults {"query": None, "document": None}, and every
 *            prompt still None becomes "" (`_validate_prompts`);
 *   default_prompt_name: must name one of the prompts (else ST raises);
 *   similarity_fn_name: used when it is one of cosine, dot, euclidean, manhattan, else ignored (cosine);
 *   truncate_dim: the embedding is cut to its first `truncate_dim` values after the last module.
 */
import { SIMILARITY_FUNCTIONS, type SimilarityFunction } from '../kernels/similarityTopK.ts';
import { ModelFolderError, readJson, type ModelSource } from './modelSource.ts';

const ST_CONFIG_FILE = 'config_sentence_transformers.json';

export interface SentenceTransformersConfig {
  prompts: Record<string, string>;
  defaultPromptName: string | null;
  similarity: SimilarityFunction;
  truncateDim: number | null;
}

/** `SentenceTransformer._default_prompts`: both keys exist on every model, empty unless the config fills them. */
const DEFAULT_PROMPT_NAMES = ['query', 'document'];

export async function readSentenceTransformersConfig(source: ModelSource, notes: string[]): Promise<SentenceTransformersConfig> {
  const config = (await readJson(source, ST_CONFIG_FILE)) ?? {};
  const fail = (problem: string): never => {
    throw new ModelFolderError(source.name, ST_CONFIG_FILE, problem);
  };
  const prompts = readPrompts(config.prompts, fail);
  const defaultPromptName = config.default_prompt_name ?? null;
  if (defaultPromptName !== null && (typeof defaultPromptName !== 'string' || !Object.hasOwn(prompts, defaultPromptName))) {
    fail(`default_prompt_name ${JSON.stringify(defaultPromptName)} is not one of its prompts (${Object.keys(prompts).join(', ')})`);
  }
  return { prompts, defaultPromptName: defaultPromptName as string | null, similarity: readSimilarity(config.similarity_fn_name, notes), truncateDim: readTruncateDim(config.truncate_dim, fail) };
}

function readPrompts(value: unknown, fail: (problem: string) => never): Record<string, string> {
  const prompts: Record<string, string> = Object.fromEntries(DEFAULT_PROMPT_NAMES.map((name) => [name, '']));
  if (value === undefined || value === null) return prompts;
  if (typeof value !== 'object' || Array.isArray(value)) fail(`prompts must map prompt names to texts, found ${JSON.stringify(value)}`);
  for (const [name, text] of Object.entries(value as Record<string, unknown>)) {
    if (text !== null && typeof text !== 'string') fail(`prompt ${JSON.stringify(name)} must be a text, found ${JSON.stringify(text)}`);
    prompts[name] = (text as string | null) ?? '';
  }
  return prompts;
}

function readSimilarity(value: unknown, notes: string[]): SimilarityFunction {
  if (value === undefined || value === null) return 'cosine';
  if ((SIMILARITY_FUNCTIONS as readonly unknown[]).includes(value)) return value as SimilarityFunction;
  notes.push(`${ST_CONFIG_FILE}: similarity_fn_name ${JSON.stringify(value)} is not one a SentenceTransformer scores with; like sentence-transformers, cosine is used.`);
  return 'cosine';
}

function readTruncateDim(value: unknown, fail: (problem: string) => never): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(`truncate_dim must be a positive integer, found ${JSON.stringify(value)}`);
  return value as number;
}
