import type { DocumentRows } from '../vectors/documentRows.ts';
import { float32Rows } from '../vectors/documentRows.ts';
import { cosineTopK, type CosineTopKResult, type GpuTopKKernel } from './cosineTopK.ts';
import { distanceTopK } from './topk/distanceTopK.ts';
import { topKCpu } from './topk/topk.cpu.ts';
import type { TopKKernel } from './topk/topk.types.ts';

/** A model's `similarity_fn_name`: the score sentence-transformers' evaluator ranks by. */
export type SimilarityFunction = 'cosine' | 'dot' | 'euclidean' | 'manhattan';

export const SIMILARITY_FUNCTIONS: readonly SimilarityFunction[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

/**
 * Top-k by the model's own similarity. Cosine takes unit rows (the comparison normalises them first) and
 * dot the rows as the model gives them — both through the dot-product kernels; euclidean and manhattan
 * rank by the negated distance on the CPU.
 */
export async function similarityTopK(
  similarity: SimilarityFunction,
  queries: Float32Array,
  docs: DocumentRows,
  dim: number,
  k: number,
  gpu?: GpuTopKKernel | null,
  cpu: TopKKernel = topKCpu,
): Promise<CosineTopKResult> {
  if (similarity === 'cosine' || similarity === 'dot') return cosineTopK(queries, docs, dim, k, gpu, cpu);
  return { ...distanceTopK({ queries, docs: float32Rows(docs, dim), dim, k }, similarity), backend: 'cpu' };
}
