import type { JudgedRun } from '../metrics/judgedRun.ts';
import { evaluateJudged, type MetricName } from '../metrics/registry.ts';

const CURVE_DEPTH = 100;
export const CURVE_METRICS: readonly MetricName[] = ['ndcg', 'recall', 'precision', 'accuracy', 'mrr', 'map'];

/** Each metric's mean at k = 1 … depth: one model's metric@k curves, for the chart. */
export function metricCurves(judged: JudgedRun, depth = CURVE_DEPTH): Record<MetricName, number[]> {
  const ks = Array.from({ length: depth }, (_, i) => i + 1);
  const keys = CURVE_METRICS.flatMap((name) => ks.map((k) => `${name}@${k}`));
  const { metrics } = evaluateJudged(judged, keys);
  return Object.fromEntries(CURVE_METRICS.map((name) => [name, ks.map((k) => metrics[`${name}@${k}`])])) as Record<MetricName, number[]>;
}
