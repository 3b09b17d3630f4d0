import { checkTopKInput, type TopKInput, type TopKResult } from './topk.types.ts';
import { TopKSelection } from './topkSelection.ts';

/** The distances sentence-transformers ranks by (as negative scores): `pairwise_euclidean_sim`, `pairwise_manhattan_sim`. */
export type Distance = 'euclidean' | 'manhattan';

/**
 * Top-k by −distance: for models saved with `similarity_fn_name` euclidean or manhattan, scored as
 * sentence-transformers scores them (the negated L2 or L1 distance), in float64. CPU only: these models
 * are rare, and no dot-product kernel can express an L1 distance.
 */
export function distanceTopK(input: TopKInput, distance: Distance): TopKResult {
  const { queries, docs, dim, k: requested } = input;
  const { queryCount, docCount } = checkTopKInput(input);
  const k = Math.min(requested, docCount);
  const selection = new TopKSelection(queryCount, k);
  for (let q = 0; q < queryCount; q++) {
    const qBase = q * dim;
    for (let d = 0; d < docCount; d++) {
      const dBase = d * dim;
      let sum = 0;
      if (distance === 'euclidean') {
        for (let j = 0; j < dim; j++) {
          const diff = queries[qBase + j] - docs[dBase + j];
          sum += diff * diff;
        }
        selection.offer(q, d, -Math.sqrt(sum));
      } else {
        for (let j = 0; j < dim; j++) sum += Math.abs(queries[qBase + j] - docs[dBase + j]);
        selection.offer(q, d, -sum);
      }
    }
  }
  return selection.result();
}
