import type { TopKResult } from './topk.types.ts';

/**
 * Two lists per query merged to the best `limit` (fewer when they hold fewer); on equal scores `a`'s entries
 * come first, so `a` must hold the lower rows (an earlier block or tile of documents) to keep the kernels'
 * order: score descending, then lower row. A NaN score (a broken embedding) ranks below every number.
 * Scores are compared as the kernel compared them: its float64 scores where both lists keep them (the CPU
 * twin), else the float32 ones it ranked on.
 */
export function mergeTopK(a: TopKResult, b: TopKResult, limit: number): TopKResult {
  if (a.queryCount !== b.queryCount) throw new RangeError(`top-k merge: ${a.queryCount} queries against ${b.queryCount}`);
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
