import type { JudgedRun } from './judgedRun.ts';

/**
 * One query's value: `gains` are grades by rank (0 = not relevant), `relevant` is |R|, `ideal` the sorted
 * positive grades, `k` the cutoff (`Infinity` for none).
 */
export type QueryMetric = (gains: Float64Array, relevant: number, ideal: Float64Array, k: number) => number;

/** Per-query values for every evaluated query, aligned with `judged.queryRows`. */
export type MetricFn = (judged: JudgedRun, k: number) => Float64Array;

/** Lifts a per-query metric to the whole run: the batch function every metric file exports. */
export function overQueries(metric: QueryMetric): MetricFn {
  return (judged, k) => {
    const values = new Float64Array(judged.gains.length);
    for (let q = 0; q < values.length; q++) values[q] = metric(judged.gains[q], judged.relevantCounts[q], judged.idealGains[q], k);
    return values;
  };
}

/** Number of relevant documents among the first `k` ranks. */
export function hitsAt(gains: Float64Array, k: number): number {
  const end = Math.min(k, gains.length);
  let hits = 0;
  for (let i = 0; i < end; i++) if (gains[i] > 0) hits++;
  return hits;
}
