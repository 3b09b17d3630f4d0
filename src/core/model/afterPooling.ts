/**
 * The modules after Pooling, applied to pooled rows in modules.json order (Dense, Normalize), then
 * config_sentence_transformers.json's `truncate_dim`, which `encode` applies after the last module.
 */
import { normalizeRows } from '../vectors/normalize.ts';
import { applyDense } from './denseLayer.ts';
import type { SentenceModule } from './stModules.ts';

export interface PooledRows {
  vectors: Float32Array;
  dim: number;
}

/**
 * How a pipeline splits between the token embedder and the CPU: a lone Normalize right after Pooling is
 * done where the pooling happens (on the GPU when it pools there); anything else runs here, after it.
 */
export function splitAfterPooling(modules: readonly SentenceModule[]): { normalizeInPooling: boolean; after: SentenceModule[] } {
  const after = modules.slice(modules.findIndex((m) => m.kind === 'pooling') + 1);
  if (after.length === 1 && after[0].kind === 'normalize') return { normalizeInPooling: true, after: [] };
  return { normalizeInPooling: false, after };
}

export function applyAfterPooling(rows: PooledRows, count: number, modules: readonly SentenceModule[], truncateDim: number | null = null): PooledRows {
  let { vectors, dim } = rows;
  for (const module of modules) {
    if (module.kind === 'dense') {
      vectors = applyDense(vectors, count, module);
      dim = module.outFeatures;
    } else if (module.kind === 'normalize') {
      normalizeRows(vectors, dim);
    }
  }
  return truncateDim !== null && truncateDim < dim ? { vectors: truncateRows(vectors, count, dim, truncateDim), dim: truncateDim } : { vectors, dim };
}

/** `embeddings[..., :truncate_dim]`: no renormalisation, as in sentence-transformers. */
function truncateRows(vectors: Float32Array, count: number, dim: number, keep: number): Float32Array {
  const out = new Float32Array(count * keep);
  for (let row = 0; row < count; row++) out.set(vectors.subarray(row * dim, row * dim + keep), row * keep);
  return out;
}
