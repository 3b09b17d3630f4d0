import { blockRows, isHalfRows, rowsBlock, type DocumentRows } from '../../vectors/documentRows.ts';
import type { TopKKernel, TopKResult } from './topk.types.ts';

/**
 * A top-k kernel over rows that may be kept as float16 ({@link DocumentRows}). float32 rows go to the kernel
 * as they are. float16 rows are decoded a block at a time (whole document tiles, see `blockRows`), never whole: query blocks
 * are ranked one after another, and document blocks merged into each query's running list. Merging keeps
 * the kernels' order (score descending, then lower row) because a later block's rows all come after the
 * earlier ones', so the result is the one the kernel gives over the decoded rows at once.
 */
export async function topKOverRows(kernel: TopKKernel, queries: DocumentRows, docs: DocumentRows, dim: number, k: number, size = blockRows(dim)): Promise<TopKResult> {
  if (!isHalfRows(queries) && !isHalfRows(docs)) return kernel({ queries, docs, dim, k });
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  if (queryCount === 0 || docCount === 0) return kernel({ queries: rowsBlock(queries, dim, 0, queryCount), docs: rowsBlock(docs, dim, 0, docCount), dim, k });
  const kept = Math.min(k, docCount);
  const indices = new Int32Array(queryCount * kept);
  const scores = new Float32Array(queryCount * kept);
  // One decoded block of each, reused: a kernel is done with its input when it returns.
  const scratch = (rows: DocumentRows, count: number) => (isHalfRows(rows) ? new Float32Array(Math.min(size, count) * dim) : undefined);
  const queryScratch = scratch(queries, queryCount);
  const docScratch = scratch(docs, docCount);
  for (let q0 = 0; q0 < queryCount; q0 += size) {
    const queryBlock = rowsBlock(queries, dim, q0, Math.min(queryCount, q0 + size), queryScratch);
    let running: TopKResult | null = null;
    for (let d0 = 0; d0 < docCount; d0 += size) {
      const found = await kernel({ queries: queryBlock, docs: rowsBlock(docs, dim, d0, Math.min(docCount, d0 + size), docScratch), dim, k });
      if (d0) for (let i = 0; i < found.indices.length; i++) found.indices[i] += d0;
      running = running ? mergeTopK(running, found, kept) : found;
    }
    indices.set(running!.indices, q0 * kept);
    scores.set(running!.scores, q0 * kept);
  }
  return { queryCount, k: kept, indices, scores };
}

/**
 * Two lists per query merged to the best `limit` (fewer when they hold fewer); on equal scores `a`'s entries
 * (the lower rows) come first.
 * Scores are compared as the kernel compared them: its float64 scores where it keeps them (the CPU twin),
 * else the float32 ones it ranked on.
 */
export function mergeTopK(a: TopKResult, b: TopKResult, limit: number): TopKResult {
  const { queryCount } = a;
  const k = Math.min(limit, a.k + b.k);
  const exact = a.exactScores && b.exactScores;
  const left = exact ? a.exactScores! : a.scores;
  const right = exact ? b.exactScores! : b.scores;
  const indices = new Int32Array(queryCount * k);
  const scores = new Float32Array(queryCount * k);
  const exactScores = exact ? new Float64Array(queryCount * k) : undefined;
  for (let q = 0; q < queryCount; q++) {
    let i = q * a.k;
    let j = q * b.k;
    const iEnd = i + a.k;
    const jEnd = j + b.k;
    for (let out = q * k; out < (q + 1) * k; out++) {
      const takeA = j >= jEnd || (i < iEnd && !ranksAbove(right[j], left[i]));
      const from = takeA ? a : b;
      const at = takeA ? i++ : j++;
      indices[out] = from.indices[at];
      scores[out] = from.scores[at];
      if (exactScores) exactScores[out] = from.exactScores![at];
    }
  }
  return { queryCount, k, indices, scores, ...(exactScores ? { exactScores } : {}) };
}

/** Whether `x` ranks strictly above `y`: a NaN (a broken embedding) ranks below every number, as in the kernels. */
function ranksAbove(x: number, y: number): boolean {
  return x > y || (y !== y && x === x);
}
