import { hitsAt, overQueries, type QueryMetric } from './metric.ts';

/**
 * precision@k = relevant in top k ÷ k. The divisor is k even when fewer than k documents were retrieved,
 * as in sentence-transformers' `precision@k` and trec_eval's `P_k`.
 */
const precisionAtK: QueryMetric = (gains, _relevant, _ideal, k) => hitsAt(gains, k) / k;
export const precision = overQueries(precisionAtK);
