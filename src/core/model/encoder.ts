import { applyAfterPooling, splitAfterPooling } from './afterPooling.ts';
import { buildBatchInputs, planBatches, type BatchInputs, type BatchPlan } from './batching.ts';
import type { ModelSpec } from './modelSpec.ts';
import type { PoolingMode } from '../kernels/pooling/poolingModes.ts';
import { promptFor, type PromptRole } from './prompts.ts';
import type { TextTokenizer } from './textTokenizer.ts';

/** How token embeddings become one sentence embedding (the model's `1_Pooling` config and Normalize module). */
export interface PoolingSpec {
  modes: readonly PoolingMode[];
  normalize: boolean;
}

/** Sentence embeddings of one batch, `[batch × dim]`, rows in batch order. */
export interface PooledBatch {
  vectors: Float32Array;
  dim: number;
}

/**
 * Anything that turns a padded batch into pooled sentence embeddings: an {@link OrtRunner} (which pools on
 * the GPU where its output stays there), or a fallback chain of them.
 */
export interface TokenEmbedder {
  embed(inputs: BatchInputs, pooling: PoolingSpec): Promise<PooledBatch>;
}

export interface EncodeProgress {
  done: number;
  total: number;
  /**
   * Padded tokens encoded so far and in all: what the time goes by. Texts are encoded longest first, so a
   * rate in texts per second taken early predicts the rest several times too slow; one in tokens does not.
   */
  tokens: { done: number; total: number };
}

export interface EncodeOptions {
  /**
   * Called before the first batch and after each one, and awaited: across a worker boundary that round trip
   * lets `cancel` messages in between batches and keeps progress events from piling up.
   */
  onProgress?: (progress: EncodeProgress) => void | Promise<void>;
  signal?: AbortSignal;
  /** Most padded tokens in one forward pass. */
  tokenBudget?: number;
  /** Most texts in one forward pass. */
  maxBatch?: number;
  /**
   * Which sentence-transformers call this is: `query` (encode_query), `document` (encode_document) or
   * `plain` (encode, the default); it picks the model's prompt (see {@link promptFor}).
   */
  role?: PromptRole;
  /** A prompt to prepend instead of the model's own (an evaluator's query_prompt / corpus_prompt); "" for none. */
  prompt?: string;
}

/** Padded tokens per forward pass: 32 texts of 256 tokens, the batch people use with all-MiniLM-L6-v2. */
export const DEFAULT_TOKEN_BUDGET = 8192;
const DEFAULT_MAX_BATCH = 64;

/** Sentence embeddings, row-major `[count × dim]`, rows in input order. */
export interface Embeddings {
  vectors: Float32Array;
  count: number;
  dim: number;
}

/** What {@link encodeTexts} reads of a spec; a bare `{pooling, normalize}` still means pool then normalise. */
export type EncodeSpec = Pick<ModelSpec, 'pooling' | 'normalize'> &
  Partial<Pick<ModelSpec, 'modules' | 'includePrompt' | 'prompts' | 'defaultPromptName' | 'truncateDim'>>;

/**
 * Prompt + text → tokens → length-sorted batches → token embeddings → Pooling → the modules after it
 * (Dense, Normalize) in modules.json order → truncate_dim, rows restored to input order: the pipeline
 * sentence-transformers runs. Identical in the worker and the CLI; only the {@link TokenEmbedder} differs.
 * `dim` of the result is the last module's (a Dense changes it).
 */
export async function encodeTexts(
  texts: readonly string[],
  tokenizer: TextTokenizer,
  embedder: TokenEmbedder,
  spec: EncodeSpec,
  options: EncodeOptions = {},
): Promise<Embeddings> {
  const { onProgress, signal, tokenBudget = DEFAULT_TOKEN_BUDGET, maxBatch = DEFAULT_MAX_BATCH } = options;
  signal?.throwIfAborted();
  const { prompt, promptTokens } = resolvePrompt(spec, tokenizer, options);
  const { normalizeInPooling, after } = spec.modules ? splitAfterPooling(spec.modules) : { normalizeInPooling: spec.normalize, after: [] };
  const tokenIds = texts.map((text) => tokenizer.encode(text, prompt));
  const plans = planBatches(
    tokenIds.map((ids) => ids.length),
    tokenBudget,
    maxBatch,
  );
  let vectors = new Float32Array(0);
  let dim = 0;
  let done = 0;
  const tokens = { done: 0, total: plans.reduce((sum, plan) => sum + paddedTokens(plan), 0) };
  await onProgress?.({ done, total: texts.length, tokens: { ...tokens } });
  for (const plan of plans) {
    signal?.throwIfAborted();
    const inputs = buildBatchInputs(tokenIds, plan, tokenizer.padId, promptTokens);
    const pooled = applyAfterPooling(await embedder.embed(inputs, { modes: spec.pooling, normalize: normalizeInPooling }), plan.indices.length, after, spec.truncateDim ?? null);
    if (dim === 0) {
      dim = pooled.dim;
      vectors = new Float32Array(texts.length * dim);
    }
    plan.indices.forEach((textIndex, row) => vectors.set(pooled.vectors.subarray(row * dim, (row + 1) * dim), textIndex * dim));
    done += plan.indices.length;
    tokens.done += paddedTokens(plan);
    await onProgress?.({ done, total: texts.length, tokens: { ...tokens } });
  }
  return { vectors, count: texts.length, dim };
}

/** What one forward pass costs, padding included. */
function paddedTokens(plan: BatchPlan): number {
  return plan.indices.length * plan.seqLen;
}

/** The prompt of this call, and how many leading tokens pooling leaves out for it (`include_prompt: false`). */
function resolvePrompt(spec: EncodeSpec, tokenizer: TextTokenizer, options: EncodeOptions): { prompt: string; promptTokens: number } {
  const prompt = promptFor({ prompts: spec.prompts ?? {}, defaultPromptName: spec.defaultPromptName ?? null }, options.role ?? 'plain', options.prompt);
  const promptTokens = spec.includePrompt === false ? tokenizer.promptLength(prompt) : 0;
  return { prompt, promptTokens };
}
