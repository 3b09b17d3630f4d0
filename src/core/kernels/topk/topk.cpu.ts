import { checkTopKInput, type TopKInput, type TopKResult } from './topk.types.ts';

/** Queries and documents per block: 4 query rows are scored against 256 document rows at a time. */
const QUERY_BLOCK = 4;
const DOC_BLOCK = 256;

/**
 * CPU twin of the WebGPU top-k. Blocked so each document row is read once per 4 queries (the naive loop
 * reads it once per query), dot products accumulated in float64, and a sorted insertion list of k per
 * query, so no score matrix is ever held beyond one 4 × 256 block.
 */
export function topKCpuSync(input: TopKInput): TopKResult {
  const { queries, docs, dim, k: requested } = input;
  const { queryCount, docCount } = checkTopKInput(input);
  const k = Math.min(requested, docCount);
  const indices = new Int32Array(queryCount * k).fill(-1);
  const best = new Float64Array(queryCount * k).fill(-Infinity);
  const filled = new Int32Array(queryCount);
  const block = new Float64Array(QUERY_BLOCK * DOC_BLOCK);

  for (let q0 = 0; q0 < queryCount; q0 += QUERY_BLOCK) {
    const qn = Math.min(QUERY_BLOCK, queryCount - q0);
    // Rows past the last query repeat it: the inner loop always keeps four accumulators, results unused.
    const b0 = q0 * dim;
    const b1 = Math.min(q0 + 1, queryCount - 1) * dim;
    const b2 = Math.min(q0 + 2, queryCount - 1) * dim;
    const b3 = Math.min(q0 + 3, queryCount - 1) * dim;
    for (let d0 = 0; d0 < docCount; d0 += DOC_BLOCK) {
      const dn = Math.min(DOC_BLOCK, docCount - d0);
      for (let d = 0; d < dn; d++) {
        const docBase = (d0 + d) * dim;
        // Each document component is loaded once for four queries: the point of blocking.
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let j = 0; j < dim; j++) {
          const x = docs[docBase + j];
          s0 += queries[b0 + j] * x;
          s1 += queries[b1 + j] * x;
          s2 += queries[b2 + j] * x;
          s3 += queries[b3 + j] * x;
        }
        block[d] = s0;
        block[DOC_BLOCK + d] = s1;
        block[2 * DOC_BLOCK + d] = s2;
        block[3 * DOC_BLOCK + d] = s3;
      }
      for (let q = 0; q < qn; q++) {
        const query = q0 + q;
        for (let d = 0; d < dn; d++) insert(query, d0 + d, block[q * DOC_BLOCK + d]);
      }
    }
  }
  return { queryCount, k, indices, scores: Float32Array.from(best) };

  /** Documents arrive in index order, so an equal score never displaces an earlier document. */
  function insert(query: number, doc: number, rawScore: number): void {
    // A NaN (from a broken embedding) ranks last, like −∞, instead of poisoning the comparisons.
    const score = rawScore === rawScore ? rawScore : -Infinity;
    const base = query * k;
    const count = filled[query];
    if (count === k && !(score > best[base + k - 1])) return;
    // First position holding a strictly lower score: the new entry goes after its equals.
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (best[base + mid] >= score) lo = mid + 1;
      else hi = mid;
    }
    const last = Math.min(count, k - 1);
    for (let i = last; i > lo; i--) {
      best[base + i] = best[base + i - 1];
      indices[base + i] = indices[base + i - 1];
    }
    best[base + lo] = score;
    indices[base + lo] = doc;
    if (count < k) filled[query] = count + 1;
  }
}

/** The CPU twin with the kernel signature shared with the WebGPU path. */
export const topKCpu = async (input: TopKInput): Promise<TopKResult> => topKCpuSync(input);
