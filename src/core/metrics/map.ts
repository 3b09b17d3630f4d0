import type { JudgedRun } from './judgedRun.ts';
import { overQueries, type MetricFn, type QueryMetric } from './metric.ts';

/**
 * Average precision with cutoff: Σ_{i≤k, relevant at i} P@i ÷ min(k, |R|) — sentence-transformers'
 * `map@k`, which forgives relevant documents that could not fit in the top k.
 */
const averagePrecisionAtK: QueryMetric = (gains, relevant, _ideal, k) => precisionSum(gains, k) / Math.min(k, relevant);

/** trec_eval's AP (`map`, `map_cut_k`): the same sum ÷ |R|, every relevant document counted. */
const trecAveragePrecisionAtK: QueryMetric = (gains, relevant, _ideal, k) => precisionSum(gains, k) / relevant;

function precisionSum(gains: Float64Array, k: number): number {
  const end = Math.min(k, gains.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < end; i++) {
    if (gains[i] > 0) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum;
}

const stMap = overQueries(averagePrecisionAtK);
const trecMap = overQueries(trecAveragePrecisionAtK);
export const map: MetricFn = (judged: JudgedRun, k) => (judged.mode === 'trec' ? trecMap(judged, k) : stMap(judged, k));
