import { buildBatchInputs, planBatches, type BatchInputs } from './batching.ts';
import type { ModelSpec } from './modelSpec.ts';
import { normalizeRows, poolBatch } from './pooling.ts';
import type { TextTokenizer } from './textTokenizer.ts';
import type { TokenOutput } from './ortRunner.ts';

/** Anything that turns a padded batch into token embeddings: an {@link OrtRunner}, or a fallback chain of them. */
export interface TokenEmbedder {
  run(inputs: BatchInputs): Promise<TokenOutput>;
}

export interface EncodeProgress {
  done: number;
  total: number;
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
}

/** Padded tokens per forward pass: 32 texts of 256 tokens, the batch people use with all-MiniLM-L6-v2. */
export const DEFAULT_TOKEN_BUDGET = 8192;
export const DEFAULT_MAX_BATCH = 64;

/** Sentence embeddings, row-major `[count × dim]`, rows in input order. */
export interface Embeddings {
  vectors: Float32Array;
  count: number;
  dim: number;
}

/**
 * Tokenize → length-sorted batches → token embeddings → pooling → normalisation, rows restored to input
 * order. Identical in the worker and the CLI; only the {@link TokenEmbedder} differs.
 */
export async function encodeTexts(
  texts: readonly string[],
  tokenizer: TextTokenizer,
  embedder: TokenEmbedder,
  spec: Pick<ModelSpec, 'pooling' | 'normalize'>,
  options: EncodeOptions = {},
): Promise<Embeddings> {
  const { onProgress, signal, tokenBudget = DEFAULT_TOKEN_BUDGET, maxBatch = DEFAULT_MAX_BATCH } = options;
  signal?.throwIfAborted();
  const tokenIds = texts.map((text) => tokenizer.encode(text));
  const plans = planBatches(
    tokenIds.map((ids) => ids.length),
    tokenBudget,
    maxBatch,
  );
  let vectors = new Float32Array(0);
  let dim = 0;
  let done = 0;
  await onProgress?.({ done, total: texts.length });
  for (const plan of plans) {
    signal?.throwIfAborted();
    const inputs = buildBatchInputs(tokenIds, plan, tokenizer.padId);
    const { data, hidden } = await embedder.run(inputs);
    if (dim === 0) {
      dim = hidden * spec.pooling.length;
      vectors = new Float32Array(texts.length * dim);
    }
    const pooled = new Float32Array(plan.indices.length * dim);
    poolBatch({ data, mask: inputs.mask, batch: inputs.batch, seqLen: inputs.seqLen, hidden }, spec.pooling, pooled);
    if (spec.normalize) normalizeRows(pooled, dim);
    plan.indices.forEach((textIndex, row) => vectors.set(pooled.subarray(row * dim, (row + 1) * dim), textIndex * dim));
    done += plan.indices.length;
    await onProgress?.({ done, total: texts.length });
  }
  return { vectors, count: texts.length, dim };
}
