import type { Dataset, DataIssue } from '../data/dataset.ts';
import type { BackendChoice, KernelsChoice } from '../backends/backendChoice.ts';
import type { DatasetFingerprint } from '../data/fingerprint.ts';
import { countJudgments } from '../data/judgments.ts';
import type { SweepCell } from './sweepTable.ts';
import { diagnosticDeltas, readDiagnostics, type DiagnosticDelta, type RetrievalChange } from '../diagnostics/compareDiagnostics.ts';
import type { ModelDiagnostics } from '../diagnostics/modelDiagnostics.ts';
import type { RankingOrder } from '../metrics/rankings.ts';
import type { Evaluation } from '../metrics/registry.ts';
import { compareModels, SIGNIFICANCE_LEVEL, type PairedComparison, type StatsOptions } from '../metrics/stats.ts';
import { metricCeilings, type MetricCeilings } from '../metrics/ceiling.ts';
import { sliceTable, type SliceTable } from './slices.ts';
import { documentIdOf, type EvaluationMode, type Rankings } from '../data/rankings.ts';

/**
 * What a checkpoint was: vectors scored by cosine here, a run file's rankings, a model's results read from
 * a stored report (a baseline), or a fusion of earlier checkpoints' rankings.
 */
export type CheckpointKind = 'vectors' | 'ranking' | 'report' | 'fusion';

/** The JSON the CLI writes and the page exports: one schema, one serialisation ({@link reportJson}). */
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
    /** What the data was (texts, labels, judgments): a baseline report is only compared on the same data. */
    fingerprint?: DatasetFingerprint;
  };
  mode: EvaluationMode;
  metricKeys: string[];
  statistics: {
    test: string;
    permutations: number;
    resamples: number;
    seed: number;
    correction: string;
    /** The family-wise level significance and the adjusted intervals use (absent in reports written before it). */
    alpha?: number;
    /** What each comparison's intervals are: `ci95`, `ciBonferroni`, `ciHolm` (absent in reports written before them). */
    intervals?: string;
  };
  models: ModelReport[];
  comparisons: ComparisonReport[];
  /** Where similarity, top-k and diagnostics ran, and why (the page's auto rule, or the CLI's CPU). */
  kernels?: KernelsChoice;
  /**
   * Imported vectors checked against each model encoded here on the same texts (per-row cosine, max |Δ|,
   * top-10 overlap; the metric deltas are in `comparisons`). Empty when no such pair was compared.
   */
  parity: VectorParity[];
  /**
   * The compression sweep, when one was asked for: each vector checkpoint truncated and quantized, against
   * itself at full size and float32 (see `eval/compressionSweep.ts`).
   */
  sweep?: SweepCell[];
  /**
   * What the judgments allow each metric to reach: its value for a perfect ranking, per query averaged
   * (recall@1 cannot pass 1/|R| where a query has |R| relevant documents). Absent in older reports.
   */
  ceilings?: MetricCeilings;
  /** Every metric per query label (a query's own, else its relevant documents' most frequent), or why there are none. */
  slices?: SliceTable;
}

/** How closely one checkpoint's vectors reproduce another's, text by text: the check done by hand today. */
export interface VectorParity {
  /** The model encoded here, and the imported vectors checked against it. */
  a: string;
  b: string;
  /** Rows compared: every document and query. */
  rows: number;
  /** Cosine between the two vectors of each text. */
  cosine: { min: number; mean: number };
  /** Largest absolute difference of any component, after L2 normalisation. */
  maxAbsDelta: number;
  /** Mean share of each query's top 10 that both rank there. */
  top10Overlap: number;
  /** Within 1e-4 on every component of every row: "this lab reproduces your vectors". */
  reproduces: boolean;
}

export interface ModelReport {
  name: string;
  path: string;
  /** `vectors`: scored by cosine here; `ranking`: a run file's lists, scored as given. */
  kind: CheckpointKind;
  /** Identifies what produced it: the model's fingerprint (ONNX, tokenizer, pooling), or a digest of its files. */
  fingerprint: string;
  backend: string;
  /** Why it ran on `backend` (the page: chosen in the slot, or the auto rule's reason and calibration). */
  backendChoice?: BackendChoice;
  /** What a model encoded here ran: weights file and digest, family, similarity and prompts. */
  model?: ModelRunInfo;
  /** Where the ranking was computed: `webgpu`/`cpu` (the top-k kernel) or `run file`. */
  rankedOn: string;
  /** Embedding size; null for a ranking. */
  dim: number | null;
  /** Length of the longest ranked list: metrics with a deeper cutoff score the truncated list. */
  depth: number;
  metrics: Record<string, number>;
  perQuery: Record<string, Record<string, number>>;
  top: Record<string, [string, number][]>;
  notes: string[];
  /** Present when computed (vector checkpoints). */
  diagnostics?: ModelDiagnostics;
  /** Why there are no diagnostics, when there are none (a ranking has no vectors). */
  diagnosticsNote?: string;
  /** How a fusion checkpoint combined its inputs (kind `fusion`). */
  fusion?: FusionInfo;
}

/** ranx's fusion methods the lab implements (`eval/fusion/fuseRankings.ts`). */
export type FusionMethodName = 'rrf' | 'combsum' | 'combmnz' | 'wsum';

/** ranx's per-query score normalisations (`eval/fusion/scoreNormalization.ts`); `none` for rrf. */
export type FusionNormalization = 'min-max' | 'max' | 'sum' | 'zmuv' | 'rank' | 'none';

/** A fusion checkpoint's recipe and, for a cross-validated weight, how the weight was chosen. */
export interface FusionInfo {
  /** The fused checkpoints, by the names this report gives them, in the order weights refer to. */
  inputs: string[];
  method: FusionMethodName;
  /** The method as written: `rrf@60`, `combmnz+zmuv`, `wsum@0.3+min-max`, `wsum+min-max` (weight cross-validated). */
  spec: string;
  /** rrf's k. */
  k?: number;
  /** wsum's weights, one per input, when given (W and 1 − W for W). */
  weights?: number[];
  normalization: FusionNormalization;
  /** Results read from the top of each input's list. */
  depth: number;
  /** The longest list read from each input (below `depth` when the input holds fewer). */
  inputDepths: number[];
  /**
   * wsum without a weight over two inputs: W (of the first input; 1 − W of the second) chosen per fold of the
   * evaluated queries on the other folds, over `grid`, maximising `criterion` in `mode`; ties → W closest to
   * 0.5, then the smaller. `weight` is the best W over all queries, used for queries outside the folds.
   */
  crossValidation?: { folds: number; seed: number; criterion: string; mode: EvaluationMode; grid: number[]; weight: number };
  /** Each fold: its W (chosen without it), its queries (ids), and `criterion` on them at that W. */
  folds?: { weight: number; queries: string[]; value: number }[];
  /** `criterion` over all evaluated queries at each W of the grid (in-sample: for the plot, not the result). */
  curve?: { weight: number; value: number }[];
}

/** Which file a model ran, as what, and how it was scored: so that a report never has to guess. */
export interface ModelRunInfo {
  /** `onnx` (an export) or `safetensors` (the graph built here from the checkpoint). */
  format: 'onnx' | 'safetensors';
  file: string;
  digests: { file: string; sha256: string }[];
  family: string | null;
  /** The sentence-transformers modules after the encoder, in order (`mean pooling`, `dense 32→16 tanh`, `normalize`). */
  modules: string[];
  /** The score the ranking used: the model's `similarity_fn_name`. */
  similarity: string;
  /** The prompts prepended to queries and documents ("" for none). */
  prompts: { query: string; document: string };
}

export interface ComparisonReport {
  a: string;
  b: string;
  metrics: Record<string, PairedComparison>;
  /** Each diagnostic of b against a, and the plain-language reading of them. */
  diagnostics?: { deltas: DiagnosticDelta[]; reading: string[] };
}

/** One checkpoint's results as the report needs them (the comparison's `CheckpointResult` is one). */
export interface ModelRun {
  name: string;
  source: string;
  kind: CheckpointKind;
  fingerprint: string;
  backend: string;
  backendChoice?: BackendChoice;
  model?: ModelRunInfo;
  rankedOn: string;
  dim: number | null;
  depth: number;
  rankings: Rankings;
  /** `rankings` in the report's mode (from the scoring): the top lists read it. */
  order: RankingOrder;
  evaluation: Evaluation;
  notes: readonly string[];
  diagnostics: ModelDiagnostics | null;
  diagnosticsNote: string | null;
  fusion?: FusionInfo;
}

export interface ReportInput {
  dataset: Dataset;
  runs: readonly ModelRun[];
  metricKeys: readonly string[];
  mode: EvaluationMode;
  stats: Required<StatsOptions>;
  /** Results per query kept in `top` (default {@link TOP_DEPTH}). */
  topDepth?: number;
  /**
   * Whether to build each model's `top` lists (default true). The page's report goes without: the page
   * never draws them (an opened query's lists come from `queryDetail`), and its JSON and Markdown exports
   * build them from the kept rankings ({@link withTopLists}), so they are the CLI's documents.
   */
  topLists?: boolean;
  /** The dataset's fingerprint (a baseline report is checked against it). */
  fingerprint?: DatasetFingerprint;
  /** Imported vectors checked against models encoded here. */
  parity?: VectorParity[];
  sweep?: SweepCell[];
  kernels?: EvalReport['kernels'];
}

/**
 * Assembles the report: every model's metrics and per-query values, and every pair compared (earlier = A).
 * This is where rows become ids.
 */
export function buildEvalReport({ dataset, runs, metricKeys, mode, stats, topDepth = TOP_DEPTH, topLists = true, fingerprint, parity = [], sweep, kernels }: ReportInput): EvalReport {
  const { queries } = dataset;
  const first = runs[0]?.evaluation;
  const models = runs.map((run): ModelReport => {
    const { evaluation } = run;
    if (run.order.mode !== mode) throw new Error(`${run.name}: its rankings were ordered for ${run.order.mode} mode, the report is in ${mode} mode`);
    const queryIds = Array.from(evaluation.queryRows, (row) => queries.id(row));
    return {
      name: run.name,
      path: run.source,
      kind: run.kind,
      fingerprint: run.fingerprint,
      backend: run.backend,
      ...(run.backendChoice ? { backendChoice: run.backendChoice } : {}),
      ...(run.model ? { model: run.model } : {}),
      rankedOn: run.rankedOn,
      dim: run.dim,
      depth: run.depth,
      metrics: evaluation.metrics,
      perQuery: Object.fromEntries(Object.entries(evaluation.perQuery).map(([key, values]) => [key, Object.fromEntries(queryIds.map((q, i) => [q, values[i]]))])),
      top: topLists ? modelTopLists(run, dataset, topDepth) : {},
      notes: [...run.notes],
      ...(run.diagnostics ? { diagnostics: run.diagnostics } : {}),
      ...(run.diagnosticsNote ? { diagnosticsNote: run.diagnosticsNote } : {}),
      ...(run.fusion ? { fusion: run.fusion } : {}),
    };
  });
  const comparisons: ComparisonReport[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const metrics = compareModels(runs[i].evaluation.perQuery, runs[j].evaluation.perQuery, metricKeys, stats);
      const comparison: ComparisonReport = { a: runs[i].name, b: runs[j].name, metrics };
      const [da, db] = [runs[i].diagnostics, runs[j].diagnostics];
      if (da && db) {
        const retrieval = headlineChange(metricKeys, runs[i].evaluation.metrics, runs[j].evaluation.metrics, metrics);
        comparison.diagnostics = { deltas: diagnosticDeltas(da, db), reading: readDiagnostics(runs[i].name, da, runs[j].name, db, retrieval) };
      }
      comparisons.push(comparison);
    }
  }
  const report: EvalReport = {
    dataset: {
      name: dataset.name,
      format: dataset.format,
      queries: queries.length,
      documents: dataset.documents.length,
      judgments: countJudgments(dataset.judgments).judgments,
      evaluatedQueries: first?.queryRows.length ?? 0,
      skippedQueries: first?.skippedRows.length ?? 0,
      warnings: dataset.warnings,
      ...(fingerprint ? { fingerprint } : {}),
    },
    mode,
    metricKeys: [...metricKeys],
    statistics: {
      test: 'paired randomization (sign-flip), two-sided',
      permutations: stats.permutations,
      resamples: stats.resamples,
      seed: stats.seed,
      correction: 'Holm across the reported metrics, per model pair',
      alpha: SIGNIFICANCE_LEVEL,
      intervals:
        'percentile bootstrap of the mean per-query delta, one draw per metric: ci95 unadjusted 95 %; ciBonferroni at 1 − α/m; ' +
        'ciHolm at ciHolmLevel, the level of the Holm step that decided the metric (1 − α/(m − s + 1)), for a metric not significant the step where Holm stopped',
    },
    models,
    comparisons,
    parity,
    ceilings: metricCeilings(dataset.judgments, first?.queryRows ?? new Int32Array(0), mode, metricKeys),
  };
  report.slices = sliceTable(dataset, report);
  if (sweep) report.sweep = sweep;
  if (kernels) report.kernels = kernels;
  return report;
}

/** Results per query in each model's `top` lists, unless a report asks for another depth. */
const TOP_DEPTH = 10;

/** One model's `top` lists: each evaluated query's first `depth` results (document id, score) in the run's order. */
function modelTopLists(run: Pick<ModelRun, 'order' | 'evaluation'>, dataset: Dataset, depth: number): ModelReport['top'] {
  const { order } = run;
  const docId = (row: number) => documentIdOf(dataset.documents, order.rankings, row);
  return Object.fromEntries(
    Array.from(run.evaluation.queryRows, (q): [string, [string, number][]] => [
      dataset.queries.id(q),
      Array.from({ length: Math.min(depth, order.length(q)) }, (_, rank): [string, number] => [docId(order.docAt(q, rank)), order.scoreAt(q, rank)]),
    ]),
  );
}

/**
 * A report built without top lists (`topLists: false`) with them, from the runs it was built from: the
 * document {@link buildEvalReport} would have built with them, field for field and in the same key order.
 */
export function withTopLists(report: EvalReport, runs: readonly ModelRun[], dataset: Dataset, depth = TOP_DEPTH): EvalReport {
  if (runs.length !== report.models.length) throw new RangeError(`${runs.length} runs for a report of ${report.models.length} models`);
  return { ...report, models: report.models.map((model, i) => ({ ...model, top: modelTopLists(runs[i], dataset, depth) })) };
}

/** The report as the JSON file both the CLI (`--json`) and the page's export write. */
export function reportJson(report: EvalReport): string {
  return `${JSON.stringify(report, null, 1)}\n`;
}

/** Significant at 5 % after Holm correction. */
export function isSignificant(comparison: PairedComparison, alpha = SIGNIFICANCE_LEVEL): boolean {
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
      {
        ...s,
        delta: -s.delta,
        ci95: flip(s.ci95),
        ciBonferroni: flip(s.ciBonferroni),
        ciHolm: flip(s.ciHolm),
        wins: s.losses,
        losses: s.wins,
      },
    ]),
  );
}

/** An interval of A − B as one of B − A. */
const flip = ([low, high]: [number, number]): [number, number] => [-high, -low];

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
