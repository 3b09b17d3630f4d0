import { TopKSelection } from '../topk/topkSelection.ts';
import type { TopKResult } from '../topk/topk.types.ts';

/** Query rows scored together: each document row is read once per four queries. */
const QUERY_BLOCK = 4;

/**
 * Inner-product top-k over int8 rows (queries quantized with the documents' ranges), as usearch's `ip`
 * metric on `i8` vectors ranks them in sentence-transformers' quantized search: integer dot products,
 * exact in int32, best first, ties by lower index.
 */
export function int8TopK(queries: Int8Array, docs: Int8Array, dim: number, k: number): TopKResult {
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  const selection = new TopKSelection(queryCount, Math.min(k, docCount));
  // The block's query rows interleaved component by component, in an Int32Array (faster reads than int8).
  const interleaved = new Int32Array(QUERY_BLOCK * dim);
  for (let q0 = 0; q0 < queryCount; q0 += QUERY_BLOCK) {
    const qn = Math.min(QUERY_BLOCK, queryCount - q0);
    for (let q = 0; q < QUERY_BLOCK; q++) {
      const base = Math.min(q0 + q, queryCount - 1) * dim;
      for (let j = 0; j < dim; j++) interleaved[j * QUERY_BLOCK + q] = queries[base + j];
    }
    for (let d = 0; d < docCount; d++) {
      const dBase = d * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0, p = 0; j < dim; j++, p += QUERY_BLOCK) {
        const x = docs[dBase + j];
        s0 += interleaved[p] * x;
        s1 += interleaved[p + 1] * x;
        s2 += interleaved[p + 2] * x;
        s3 += interleaved[p + 3] * x;
      }
      selection.offer(q0, d, s0);
      if (qn > 1) selection.offer(q0 + 1, d, s1);
      if (qn > 2) selection.offer(q0 + 2, d, s2);
      if (qn > 3) selection.offer(q0 + 3, d, s3);
    }
  }
  return selection.result();
}
