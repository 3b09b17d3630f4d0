import type { Dataset, DataIssue } from '../data/dataset.ts';
import { diagnosticDeltas, readDiagnostics, type DiagnosticDelta, type RetrievalChange } from '../diagnostics/compareDiagnostics.ts';
import type { ModelDiagnostics } from '../diagnostics/modelDiagnostics.ts';
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
  /** Present when computed (the CLI: when the data has labels or triplets). */
  diagnostics?: ModelDiagnostics;
}

export interface ComparisonReport {
  a: string;
  b: string;
  metrics: Record<string, PairedComparison>;
  /** Each diagnostic of b against a, and the plain-language reading of them. */
  diagnostics?: { deltas: DiagnosticDelta[]; reading: string[] };
}

export interface ModelRun {
  name: string;
  path: string;
  backend: string;
  dim: number;
  result: RetrievalResult;
  notes?: string[];
  diagnostics?: ModelDiagnostics;
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
  const models = runs.map(({ name, path, backend, dim, result, notes, diagnostics }) => ({
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
    ...(diagnostics ? { diagnostics } : {}),
  }));
  const comparisons: ComparisonReport[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const metrics = compareModels(runs[i].result.perQuery, runs[j].result.perQuery, metricKeys, stats);
      const comparison: ComparisonReport = { a: runs[i].name, b: runs[j].name, metrics };
      const [da, db] = [runs[i].diagnostics, runs[j].diagnostics];
      if (da && db) {
        const retrieval = headlineChange(metricKeys, runs[i].result.metrics, runs[j].result.metrics, metrics);
        comparison.diagnostics = { deltas: diagnosticDeltas(da, db), reading: readDiagnostics(runs[i].name, da, runs[j].name, db, retrieval) };
      }
      comparisons.push(comparison);
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

/**
 * `model` against `baseline` on every metric, whichever order the report compared them in: deltas and
 * intervals as model − baseline, wins counted for `model`. Null when the pair was not compared.
 */
export function comparisonOf(report: EvalReport, baseline: string, model: string): Record<string, PairedComparison> | null {
  const direct = report.comparisons.find((c) => c.a === baseline && c.b === model);
  if (direct) return direct.metrics;
  const reverse = report.comparisons.find((c) => c.a === model && c.b === baseline);
  if (!reverse) return null;
  return Object.fromEntries(
    Object.entries(reverse.metrics).map(([key, s]) => [
      key,
      { ...s, delta: -s.delta, ci95: [-s.ci95[1], -s.ci95[0]] as [number, number], wins: s.losses, losses: s.wins },
    ]),
  );
}

/** The metric a summary leads with: NDCG@10 when reported, else the first. */
export function headlineMetric(metricKeys: readonly string[]): string {
  return metricKeys.includes('ndcg@10') ? 'ndcg@10' : metricKeys[0];
}

/** The headline metric's change from `baseline` to `model`, as the diagnostics reading may cite it. */
export function headlineChange(
  metricKeys: readonly string[],
  baseline: Record<string, number>,
  model: Record<string, number>,
  comparison: Record<string, PairedComparison> | null | undefined,
): RetrievalChange | undefined {
  const metric = headlineMetric(metricKeys);
  const s = comparison?.[metric];
  return s ? { metric, baseline: baseline[metric], value: model[metric], significant: isSignificant(s) } : undefined;
}
