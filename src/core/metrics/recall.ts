import { hitsAt, overQueries, type QueryMetric } from './metric.ts';

/** recall@k = relevant in top k ÷ |R| (sentence-transformers `recall@k`, trec_eval `recall_k`). */
const recallAtK: QueryMetric = (gains, relevant, _ideal, k) => hitsAt(gains, k) / relevant;
export const recall = overQueries(recallAtK);
