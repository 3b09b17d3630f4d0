import type { Dataset, DataIssue } from '../data/dataset.ts';
import type { RetrievalResult } from '../eval/retrieval.ts';
import type { EvaluationMode } from '../metrics/judgedRun.ts';
import { compareModels, resolveStats, type PairedComparison, type StatsOptions } from '../metrics/stats.ts';

/** The JSON the CLI writes and the page exports: one schema for both. */
export interface EvalReport {
  dataset: {
    name: string;
    format: string;
    queries: number;
    documents: number;
    judgments: number;
    evaluatedQueries: number;
    skippedQueries: number;
    warnings: DataIssue[];
  };
  mode: EvaluationMode;
  metricKeys: string[];
  statistics: { test: string; permutations: number; resamples: number; seed: number; correction: string };
  models: ModelReport[];
  comparisons: ComparisonReport[];
}

export interface ModelReport {
  name: string;
  path: string;
  backend: string;
  dim: number;
  metrics: Record<string, number>;
  perQuery: Record<string, Record<string, number>>;
  top: Record<string, [string, number][]>;
  notes: string[];
}

export interface ComparisonReport {
  a: string;
  b: string;
  metrics: Record<string, PairedComparison>;
}

export interface ModelRun {
  name: string;
  path: string;
  backend: string;
  dim: number;
  result: RetrievalResult;
  notes?: string[];
}

/** Assembles the report: every model's metrics and per-query values, and every pair compared (earlier = A). */
export function buildEvalReport(
  dataset: Dataset,
  runs: readonly ModelRun[],
  metricKeys: readonly string[],
  mode: EvaluationMode,
  options: StatsOptions & { topDepth?: number } = {},
): EvalReport {
  const stats = resolveStats(options);
  const topDepth = options.topDepth ?? 10;
  const first = runs[0]?.result;
  const models = runs.map(({ name, path, backend, dim, result, notes }) => ({
    name,
    path,
    backend,
    dim,
    metrics: result.metrics,
    perQuery: Object.fromEntries(
      Object.entries(result.perQuery).map(([key, values]) => [key, Object.fromEntries(result.queryIds.map((q, i) => [q, values[i]]))]),
    ),
    top: Object.fromEntries(result.queryIds.map((q) => [q, (result.top.get(q) ?? []).slice(0, topDepth)])),
    notes: [...(notes ?? []), ...result.notes],
  }));
  const comparisons: ComparisonReport[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      comparisons.push({
        a: runs[i].name,
        b: runs[j].name,
        metrics: compareModels(runs[i].result.perQuery, runs[j].result.perQuery, metricKeys, stats),
      });
    }
  }
  let judgments = 0;
  for (const docs of dataset.qrels.values()) judgments += docs.size;
  return {
    dataset: {
      name: dataset.name,
      format: dataset.format,
      queries: dataset.queries.length,
      documents: dataset.documents.length,
      judgments,
      evaluatedQueries: first?.queryIds.length ?? 0,
      skippedQueries: first?.skippedQueries.length ?? 0,
      warnings: dataset.warnings,
    },
    mode,
    metricKeys: [...metricKeys],
    statistics: {
      test: 'paired randomization (sign-flip), two-sided',
      permutations: stats.permutations,
      resamples: stats.resamples,
      seed: stats.seed,
      correction: 'Holm across the reported metrics, per model pair',
    },
    models,
    comparisons,
  };
}

/** Significant at 5 % after Holm correction. */
export function isSignificant(comparison: PairedComparison, alpha = 0.05): boolean {
  return comparison.pHolm < alpha;
}
