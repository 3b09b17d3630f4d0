import { checkTopKInput, type TopKInput, type TopKResult } from './topk.types.ts';
import { TopKSelection } from './topkSelection.ts';

/** Queries and documents per block: 4 query rows are scored against 256 document rows at a time. */
const QUERY_BLOCK = 4;
const DOC_BLOCK = 256;

/**
 * CPU twin of the WebGPU top-k. Blocked so each document row is read once per 4 queries (the naive loop
 * reads it once per query) and two documents share each query load, dot products accumulated in float64,
 * and a sorted insertion list of k per query, so no score matrix is ever held beyond one 4 × 256 block.
 */
export function topKCpuSync(input: TopKInput): TopKResult {
  const { queries, docs, dim, k: requested } = input;
  const { queryCount, docCount } = checkTopKInput(input);
  const k = Math.min(requested, docCount);
  const selection = new TopKSelection(queryCount, k);
  const block = new Float64Array(QUERY_BLOCK * DOC_BLOCK);

  // The block's 4 query rows interleaved component by component ([j][4]): one contiguous read per j.
  const interleaved = new Float32Array(QUERY_BLOCK * dim);
  for (let q0 = 0; q0 < queryCount; q0 += QUERY_BLOCK) {
    const qn = Math.min(QUERY_BLOCK, queryCount - q0);
    for (let q = 0; q < QUERY_BLOCK; q++) {
      // Rows past the last query repeat it: the inner loop always has four accumulators, results unused.
      const base = Math.min(q0 + q, queryCount - 1) * dim;
      for (let j = 0; j < dim; j++) interleaved[j * QUERY_BLOCK + q] = queries[base + j];
    }
    for (let d0 = 0; d0 < docCount; d0 += DOC_BLOCK) {
      const dn = Math.min(DOC_BLOCK, docCount - d0);
      // Two documents × four queries per pass: each loaded component feeds four multiply-adds.
      let d = 0;
      for (; d + 1 < dn; d += 2) {
        const a = (d0 + d) * dim;
        const b = a + dim;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let j = 0, p = 0; j < dim; j++, p += QUERY_BLOCK) {
          const x = docs[a + j];
          const y = docs[b + j];
          const q0v = interleaved[p], q1v = interleaved[p + 1], q2v = interleaved[p + 2], q3v = interleaved[p + 3];
          a0 += q0v * x; a1 += q1v * x; a2 += q2v * x; a3 += q3v * x;
          b0 += q0v * y; b1 += q1v * y; b2 += q2v * y; b3 += q3v * y;
        }
        block[d] = a0; block[DOC_BLOCK + d] = a1; block[2 * DOC_BLOCK + d] = a2; block[3 * DOC_BLOCK + d] = a3;
        block[d + 1] = b0; block[DOC_BLOCK + d + 1] = b1; block[2 * DOC_BLOCK + d + 1] = b2; block[3 * DOC_BLOCK + d + 1] = b3;
      }
      for (; d < dn; d++) {
        const a = (d0 + d) * dim;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let j = 0, p = 0; j < dim; j++, p += QUERY_BLOCK) {
          const x = docs[a + j];
          a0 += interleaved[p] * x; a1 += interleaved[p + 1] * x; a2 += interleaved[p + 2] * x; a3 += interleaved[p + 3] * x;
        }
        block[d] = a0; block[DOC_BLOCK + d] = a1; block[2 * DOC_BLOCK + d] = a2; block[3 * DOC_BLOCK + d] = a3;
      }
      // Documents arrive in index order, so an equal score never displaces an earlier document.
      for (let q = 0; q < qn; q++) {
        const row = q * DOC_BLOCK;
        for (let d = 0; d < dn; d++) selection.offer(q0 + q, d0 + d, block[row + d]);
      }
    }
  }
  return selection.result();
}

/** The CPU twin with the kernel signature shared with the WebGPU path. */
export const topKCpu = async (input: TopKInput): Promise<TopKResult> => topKCpuSync(input);
