import { overQueries, type QueryMetric } from './metric.ts';

/**
 * Reciprocal rank: 1 ÷ rank of the first relevant document within the top k, 0 if none. With k = ∞ it is
 * trec_eval's `recip_rank` (no cutoff); sentence-transformers reports `mrr@10`.
 */
const reciprocalRankAtK: QueryMetric = (gains, _relevant, _ideal, k) => {
  const end = Math.min(k, gains.length);
  for (let i = 0; i < end; i++) if (gains[i] > 0) return 1 / (i + 1);
  return 0;
};
export const mrr = overQueries(reciprocalRankAtK);
