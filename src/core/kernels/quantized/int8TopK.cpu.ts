import { TopKSelection } from '../topk/topkSelection.ts';
import type { TopKResult } from '../topk/topk.types.ts';

/**
 * Inner-product top-k over int8 rows (queries quantized with the documents' ranges), as usearch's `ip`
 * metric on `i8` vectors ranks them in sentence-transformers' quantized search: integer dot products,
 * exact in int32, best first, ties by lower index.
 */
export function int8TopK(queries: Int8Array, docs: Int8Array, dim: number, k: number): TopKResult {
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  const selection = new TopKSelection(queryCount, Math.min(k, docCount));
  for (let q = 0; q < queryCount; q++) {
    const qBase = q * dim;
    for (let d = 0; d < docCount; d++) {
      const dBase = d * dim;
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += queries[qBase + j] * docs[dBase + j];
      if (sum > selection.threshold(q)) selection.offer(q, d, sum);
    }
  }
  return selection.result();
}
