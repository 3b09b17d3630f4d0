import { overQueries, type QueryMetric } from './metric.ts';

/**
 * NDCG@k = Σ_{i≤k} gain_i / log2(i + 1) ÷ the same sum over the ideal ordering of the judged grades.
 * Binary gains give sentence-transformers' `ndcg@k` (ideal = min(k, |R|) ones); graded gains give
 * trec_eval's `ndcg_cut_k` (gain = grade, linear). Gains come from the judged run, so the mode decides.
 */
const ndcgAtK: QueryMetric = (gains, _relevant, ideal, k) => {
  const idcg = dcg(ideal, k);
  return idcg > 0 ? dcg(gains, k) / idcg : 0;
};

function dcg(gains: Float64Array, k: number): number {
  const end = Math.min(k, gains.length);
  let sum = 0;
  for (let i = 0; i < end; i++) if (gains[i] > 0) sum += gains[i] / Math.log2(i + 2);
  return sum;
}

export const ndcg = overQueries(ndcgAtK);
