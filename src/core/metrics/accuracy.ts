import { hitsAt, overQueries, type QueryMetric } from './metric.ts';

/**
 * accuracy@k (hit rate, trec_eval `success_k`): 1 if any relevant document is in the top k, else 0.
 * sentence-transformers InformationRetrievalEvaluator `accuracy@k`.
 */
const accuracyAtK: QueryMetric = (gains, _relevant, _ideal, k) => (hitsAt(gains, k) > 0 ? 1 : 0);
export const accuracy = overQueries(accuracyAtK);
