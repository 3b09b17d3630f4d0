import { JudgmentsByQuery, type Judgments } from '../data/judgments.ts';
import type { JudgedRun } from './judgedRun.ts';
import { evaluateJudged } from './registry.ts';
import type { EvaluationMode } from '../data/rankings.ts';

/** The best value a metric can take given the judgments, over the evaluated queries. */
export interface MetricCeiling {
  /** Mean over queries of the value a perfect ranking gets: what "100 %" of this metric is on this data. */
  mean: number;
  /** Queries whose own ceiling is below 1 (recall@k when |R| > k, precision@k when |R| < k, …). */
  capped: number;
}

export interface MetricCeilings {
  /** |R| (documents with grade > 0) over the evaluated queries. */
  relevantPerQuery: { mean: number; min: number; max: number };
  metrics: Record<string, MetricCeiling>;
}

/**
 * Each metric scored on the perfect ranking of every query (its relevant documents first, highest grade
 * first, nothing else): recall@k comes out as min(1, k/|R|), precision@k as min(|R|, k)/k, trec_eval's
 * map@k as min(k, |R|)/|R|, NDCG, MRR and accuracy as 1 — each metric's own definition gives its ceiling,
 * so no formula is written twice. `queryRows` are the evaluated queries (each with at least one relevant
 * document).
 */
export function metricCeilings(judgments: Judgments, queryRows: ArrayLike<number>, mode: EvaluationMode, keys: readonly string[]): MetricCeilings {
  const graded = mode === 'trec';
  const judged = new JudgmentsByQuery(judgments);
  const idealGains = Array.from(queryRows, (q) => {
    const [start, end] = judged.positions(q);
    const grades = judgments.grades.slice(start, end).filter((g) => g > 0);
    return graded ? grades.sort().reverse() : new Float64Array(grades.length).fill(1);
  });
  const perfect: JudgedRun = {
    mode,
    queryRows: Int32Array.from(queryRows),
    gains: idealGains,
    relevantCounts: Int32Array.from(idealGains, (g) => g.length),
    idealGains,
    skippedRows: new Int32Array(0),
  };
  const evaluation = evaluateJudged(perfect, keys);
  const counts = Array.from(perfect.relevantCounts);
  return {
    relevantPerQuery: counts.length
      ? { mean: counts.reduce((s, n) => s + n, 0) / counts.length, min: counts.reduce((a, n) => Math.min(a, n)), max: counts.reduce((a, n) => Math.max(a, n)) }
      : { mean: NaN, min: 0, max: 0 },
    metrics: Object.fromEntries(
      keys.map((key) => [key, { mean: evaluation.metrics[key], capped: evaluation.perQuery[key].filter((v) => v < 1 - 1e-12).length }]),
    ),
  };
}
