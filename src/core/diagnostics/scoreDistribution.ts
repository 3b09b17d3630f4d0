/** How far relevant documents score above the rest: the distribution behind every ranking metric. */
export interface ScoreDistribution {
  positives: { count: number; mean: number };
  negatives: { count: number; mean: number };
  /** mean(positive) − mean(negative). */
  gap: number;
  /** P(a positive outscores a negative), ties counting ½ (Mann–Whitney U ÷ n₊n₋). */
  rocAuc: number;
}

/**
 * `positives`: cosine of each query to each of its relevant documents; `negatives`: cosines of queries to
 * non-relevant documents (which ones — the whole corpus, or each query's top results — is the caller's
 * statement to make).
 */
export function scoreDistribution(positives: ArrayLike<number>, negatives: ArrayLike<number>): ScoreDistribution {
  const pos = Float64Array.from(positives);
  const neg = Float64Array.from(negatives);
  const mean = (v: Float64Array) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);
  return {
    positives: { count: pos.length, mean: mean(pos) },
    negatives: { count: neg.length, mean: mean(neg) },
    gap: mean(pos) - mean(neg),
    rocAuc: rocAuc(pos, neg),
  };
}

/** ROC-AUC by ranks: sort both sets together, sum the positives' (tie-averaged) ranks. O((n₊+n₋) log). */
export function rocAuc(pos: Float64Array, neg: Float64Array): number {
  if (pos.length === 0 || neg.length === 0) return NaN;
  const all = [...Array.from(pos, (s) => ({ s, positive: true })), ...Array.from(neg, (s) => ({ s, positive: false }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 … j share their mean
    for (let k = i; k < j; k++) if (all[k].positive) rankSum += averageRank;
    i = j;
  }
  const u = rankSum - (pos.length * (pos.length + 1)) / 2;
  return u / (pos.length * neg.length);
}

/** Triplet cosine accuracy: share of (anchor, positive, negative) with cos(a, p) > cos(a, n), strictly. */
export function tripletAccuracy(anchorToPositive: ArrayLike<number>, anchorToNegative: ArrayLike<number>): number {
  if (anchorToPositive.length !== anchorToNegative.length) throw new RangeError('one negative score per positive score expected');
  let correct = 0;
  for (let i = 0; i < anchorToPositive.length; i++) if (anchorToPositive[i] > anchorToNegative[i]) correct++;
  return anchorToPositive.length ? correct / anchorToPositive.length : NaN;
}

/** Counts of positive and negative scores in equal bins over [−1, 1]: one scale for every model. */
export interface ScoreHistogram {
  bins: number;
  min: number;
  max: number;
  positives: number[];
  negatives: number[];
}

export function scoreHistogram(positives: ArrayLike<number>, negatives: ArrayLike<number>, bins = 100): ScoreHistogram {
  const min = -1;
  const max = 1;
  const count = (values: ArrayLike<number>) => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) continue;
      // Cosines of unit float32 rows can overshoot 1 by an ulp: clamp into the end bins.
      const bin = Math.floor(((values[i] - min) / (max - min)) * bins);
      counts[Math.min(bins - 1, Math.max(0, bin))]++;
    }
    return counts;
  };
  return { bins, min, max, positives: count(positives), negatives: count(negatives) };
}
