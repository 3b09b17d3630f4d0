import type { TopKResult } from '../kernels/topk/topk.types.ts';
import type { EvaluationMode, Rankings } from '../data/rankings.ts';

// The data-level types, re-exported where the metrics have always taken them from.
export type { EvaluationMode, Rankings } from '../data/rankings.ts';

/** The rankings a top-k kernel returned: every list `result.k` long. */
export function rankingsFromTopK(result: TopKResult): Rankings {
  const offsets = new Int32Array(result.queryCount + 1);
  for (let q = 0; q <= result.queryCount; q++) offsets[q] = q * result.k;
  return { offsets, docs: result.indices, scores: result.scores, unknownIds: [] };
}

/** Length of the longest list: how deep the rankings go. */
export function depthOf(rankings: Rankings): number {
  let depth = 0;
  for (let q = 0; q + 1 < rankings.offsets.length; q++) depth = Math.max(depth, rankings.offsets[q + 1] - rankings.offsets[q]);
  return depth;
}

/**
 * Positions into `docs`/`scores` of query row `q`'s list in the order `mode` ranks them. `docId` names a
 * document row (negative rows included) for TREC's tie-break; it is called only between equal scores.
 */
export function orderOf(rankings: Rankings, q: number, mode: EvaluationMode, docId: (row: number) => string): Int32Array {
  const start = rankings.offsets[q];
  const end = rankings.offsets[q + 1];
  const order = Int32Array.from({ length: end - start }, (_, i) => start + i);
  if (mode !== 'trec') return order;
  const { scores, docs } = rankings;
  let tied = false;
  for (let i = start + 1; i < end && !tied; i++) tied = scores[i] === scores[i - 1];
  if (!tied) return order;
  return order.sort((a, b) => scores[b] - scores[a] || compareBytesDescending(docId(docs[a]), docId(docs[b])));
}

const utf8 = new TextEncoder();

/** strcmp on the UTF-8 bytes, reversed: trec_eval's `comp_sim_docno` tie-break. */
function compareBytesDescending(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return y[i] - x[i];
  return y.length - x.length;
}
