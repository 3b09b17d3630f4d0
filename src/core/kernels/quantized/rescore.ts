import { bitOf, type PackedBits } from '../../vectors/binaryQuantization.ts';
import type { TopKResult } from '../topk/topk.types.ts';

/**
 * sentence-transformers' rescoring step of quantized search: the `k × m` candidates the quantized index
 * returned are scored again by the float query against the *quantized* document (int8 values, or the
 * unpacked 0/1 bits), and the best `k` kept. Equal rescored scores keep the candidates' order.
 */
export function rescoreTopK(candidates: TopKResult, k: number, score: (query: number, doc: number) => number): TopKResult {
  const { queryCount } = candidates;
  const kept = Math.min(k, candidates.k);
  const indices = new Int32Array(queryCount * kept);
  const scores = new Float32Array(queryCount * kept);
  for (let q = 0; q < queryCount; q++) {
    const rows: { doc: number; score: number; at: number }[] = [];
    for (let i = 0; i < candidates.k; i++) {
      const doc = candidates.indices[q * candidates.k + i];
      if (doc >= 0) rows.push({ doc, score: score(q, doc), at: i });
    }
    rows.sort((a, b) => b.score - a.score || a.at - b.at);
    for (let i = 0; i < kept; i++) {
      indices[q * kept + i] = i < rows.length ? rows[i].doc : -1;
      scores[q * kept + i] = i < rows.length ? rows[i].score : -Infinity;
    }
  }
  return { queryCount, k: kept, indices, scores };
}

/** Float query · int8 document, as `np.einsum` over the int8 values cast to int. */
export function int8Rescorer(queries: Float32Array, docs: Int8Array, dim: number): (query: number, doc: number) => number {
  return (query, doc) => {
    let sum = 0;
    for (let j = 0, q = query * dim, d = doc * dim; j < dim; j++) sum += queries[q + j] * docs[d + j];
    return sum;
  };
}

/** Float query · unpacked sign bits (0 or 1 per component), as sentence-transformers rescores binary. */
export function bitRescorer(queries: Float32Array, docs: PackedBits, dim: number): (query: number, doc: number) => number {
  return (query, doc) => {
    let sum = 0;
    for (let j = 0, q = query * dim; j < dim; j++) if (bitOf(docs, doc, j)) sum += queries[q + j];
    return sum;
  };
}
