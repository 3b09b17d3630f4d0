import { accuracy } from './accuracy.ts';
import type { JudgedRun } from './judgedRun.ts';
import { map } from './map.ts';
import type { MetricFn } from './metric.ts';
import { mrr } from './mrr.ts';
import { ndcg } from './ndcg.ts';
import { precision } from './precision.ts';
import { recall } from './recall.ts';
import type { EvaluationMode } from '../data/rankings.ts';

export type MetricName = 'accuracy' | 'precision' | 'recall' | 'ndcg' | 'mrr' | 'map';

const METRICS: Record<MetricName, MetricFn> = { accuracy, precision, recall, ndcg, mrr, map };

/** A metric at a cutoff, written the way sentence-transformers keys it: `ndcg@10`; `mrr` alone = no cutoff. */
export interface MetricSpec {
  key: string;
  name: MetricName;
  k: number;
}

/** sentence-transformers InformationRetrievalEvaluator's defaults, in its order. */
export function defaultMetricKeys(ks: readonly number[] = [1, 3, 5, 10], mode: EvaluationMode = 'sentence-transformers'): string[] {
  const sorted = [...ks].sort((a, b) => a - b);
  const ndcgKs = sorted.filter((k) => k >= 5).length ? sorted.filter((k) => k >= 5) : sorted;
  return [
    ...sorted.map((k) => `accuracy@${k}`),
    ...sorted.map((k) => `precision@${k}`),
    ...sorted.map((k) => `recall@${k}`),
    ...ndcgKs.map((k) => `ndcg@${k}`),
    mode === 'trec' ? 'mrr' : `mrr@${Math.max(...sorted)}`,
    'map@100',
  ];
}

export function parseMetricKey(key: string): MetricSpec {
  const match = /^([a-z]+)(?:@(\d+))?$/.exec(key.trim());
  if (!match || !(match[1] in METRICS)) {
    throw new Error(`unknown metric "${key}": expected one of ${Object.keys(METRICS).join(', ')} with @k, e.g. ndcg@10`);
  }
  const name = match[1] as MetricName;
  if (match[2] === undefined && name !== 'mrr' && name !== 'map') throw new Error(`metric "${key}" needs a cutoff, e.g. ${name}@10`);
  const k = match[2] === undefined ? Infinity : Number(match[2]);
  if (k < 1) throw new Error(`metric "${key}": the cutoff must be at least 1`);
  return { key: key.trim(), name, k };
}

/** Largest cutoff among the specs: how deep the retrieval must go (∞ cutoffs need the whole list). */
export function requiredDepth(specs: readonly MetricSpec[], fallback = 100): number {
  const finite = specs.map((s) => s.k).filter(Number.isFinite);
  return Math.max(fallback * Number(specs.some((s) => !Number.isFinite(s.k))), ...finite, 1);
}

export interface Evaluation {
  /** The query rows averaged over: those with at least one relevant document. */
  queryRows: Int32Array;
  skippedRows: Int32Array;
  /** Macro average over `queryRows`, keyed by metric key. */
  metrics: Record<string, number>;
  /** Per-query values aligned with `queryRows`. */
  perQuery: Record<string, Float64Array>;
}

export function evaluateJudged(judged: JudgedRun, keys: readonly string[]): Evaluation {
  const metrics: Record<string, number> = {};
  const perQuery: Record<string, Float64Array> = {};
  for (const key of keys) {
    const spec = parseMetricKey(key);
    const values = METRICS[spec.name](judged, spec.k);
    perQuery[spec.key] = values;
    metrics[spec.key] = values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
  }
  return { queryRows: judged.queryRows, skippedRows: judged.skippedRows, metrics, perQuery };
}
