/**
 * The comparison, once, for the page and the CLI: each checkpoint's vectors (or rankings) → rank → judge →
 * score → diagnose, then every pair compared and the report assembled. The worker and the CLI only build
 * the checkpoints, pass kernels and print progress; everything they show comes from here.
 */
import type { Dataset } from '../data/dataset.ts';
import { embeddingHealth } from '../diagnostics/health.ts';
import { cpuDiagnosticKernels, type DiagnosticKernels } from '../diagnostics/kernels.ts';
import { DIAGNOSTIC_STEPS, diagnoseEmbeddings, type DiagnosticStep, type DiagnosticsOptions, type ModelDiagnostics } from '../diagnostics/modelDiagnostics.ts';
import type { RelevantDocuments } from '../diagnostics/corpusScores.ts';
import type { GpuTopKKernel } from '../kernels/cosineTopK.ts';
import { similarityTopK } from '../kernels/similarityTopK.ts';
import type { TopKKernel } from '../kernels/topk/topk.types.ts';
import type { JudgedRun } from '../metrics/judgedRun.ts';
import { depthOf, rankingsFromTopK } from '../metrics/rankings.ts';
import { parseMetricKey, requiredDepth, type Evaluation } from '../metrics/registry.ts';
import { resolveStats, type StatsOptions } from '../metrics/stats.ts';
import { buildEvalReport, type EvalReport, type ModelRun } from '../report/evalReport.ts';
import { float32Rows, normalizeDocumentRows, type DocumentRows } from '../vectors/documentRows.ts';
import { normalizeRows } from '../vectors/normalize.ts';
import type { Checkpoint, CheckpointContext, CheckpointProgress, CheckpointStage, RankingCheckpoint, VectorCheckpoint } from './checkpoint.ts';
import { displayNames } from './displayNames.ts';
import type { ReportCheckpoint, StoredModel } from './reportCheckpoint.ts';
import type { FusionCheckpoint } from './fusion/fusionCheckpoint.ts';
import { scoreRankings, type ScoredRankings, type ScoringContext } from './scoreRankings.ts';
import { withWeightVariants, type PlacedCheckpoint } from './weightVariants.ts';
import { sweepCheckpoint, weightsCell, type SweepSpec } from './compressionSweep.ts';
import type { SweepCell } from '../report/sweepTable.ts';
import { datasetFingerprint, type DatasetFingerprint } from '../data/fingerprint.ts';
import { vectorParity, type VectorParity } from './vectorParity.ts';
import { fusionInputPositions } from './fusion/fusionCheckpoint.ts';
import type { Judgments } from '../data/judgments.ts';
import type { EvaluationMode, Rankings } from '../data/rankings.ts';

/** Results kept per query, as sentence-transformers' evaluator keeps them (deeper when a metric needs it). */
const DEFAULT_DEPTH = 100;

export type ComparisonStage = CheckpointStage | 'rank' | 'diagnostics' | 'sweep' | 'report';

/** Where a comparison is: which checkpoint (by position; null for stages over all of them) and which stage. */
export interface ComparisonProgress extends Omit<CheckpointProgress, 'stage'> {
  checkpoint: number | null;
  /** The checkpoint's display name (as the report will show it). */
  name: string | null;
  stage: ComparisonStage;
  /** Within the diagnostics: the step under way (`done` steps of `total` finished). */
  step?: DiagnosticStep;
}

/** The kernels similarity, top-k and the O(n²) diagnostics run on. */
export interface ComparisonKernels {
  topK: GpuTopKKernel | null;
  /** The CPU top-k: the JavaScript twin unless another is given (the CLI's onnxruntime kernel). */
  cpuTopK?: TopKKernel;
  diagnostics: DiagnosticKernels;
}

/**
 * The CPU kernels with `topK` (an onnxruntime Gemm + TopK graph) for the ranking and the diagnostics'
 * neighbour searches; the other diagnostics stay the JavaScript ones.
 */
export function cpuKernelsWith(topK: TopKKernel): ComparisonKernels {
  return { topK: null, cpuTopK: topK, diagnostics: { ...cpuDiagnosticKernels, topK } };
}

export interface ComparisonOptions {
  metricKeys: readonly string[];
  mode: EvaluationMode;
  /** Results kept per query; at least the deepest metric cutoff, and the deepest lists a fusion reads. */
  depth?: number;
  stats?: StatsOptions;
  /** false to skip the diagnostics; options (seed, clusters) otherwise. */
  diagnostics?: false | DiagnosticsOptions;
  /** CPU twins when absent. */
  kernels?: ComparisonKernels;
  /** A compression sweep over each vector checkpoint (dimensions × precisions), reusing its vectors. */
  sweep?: SweepSpec;
  /** Keep each checkpoint's unit vectors in the result (the page's query detail reads them). */
  keepVectors?: boolean;
  /**
   * Build the report's top lists (default true). The page says false: it never draws them, and its exports
   * build them from the kept rankings when asked ({@link Comparison.topLists}, `view/exportFiles.ts`).
   */
  topLists?: boolean;
  /** What the ranking ran on and why (the page's kernel choice, the CLI's onnxruntime): the report records it. */
  rankedOn?: EvalReport['kernels'];
  onProgress?: (progress: ComparisonProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/** One checkpoint after the comparison: what the report and the page's views read. */
export interface CheckpointResult extends ModelRun {
  /** Its slot in the page, when it came from one. */
  slot?: string;
  /** Unit rows of documents and queries (kept when asked for; null for rankings); float16 documents stay so. */
  vectors: { documents: DocumentRows; queries: Float32Array; dim: number } | null;
  judged: JudgedRun;
  /** The stored model, for a checkpoint read from a report (its scores are the stored per-query values). */
  stored?: StoredModel;
  /** Its rankings have positions, not scores (see `CheckpointRankings.ranksOnly`). */
  ranksOnly?: boolean;
  /** Texts encoded now, taken from the cache, and the seconds producing the vectors took. */
  encoded: number;
  cached: number;
  seconds: number;
}

export interface Comparison {
  dataset: Dataset;
  judgments: Judgments;
  mode: EvaluationMode;
  metricKeys: string[];
  depth: number;
  stats: Required<StatsOptions>;
  checkpoints: CheckpointResult[];
  report: EvalReport;
  /** Whether `report` holds the top lists; without them its models' `top` are empty (see `withTopLists`). */
  topLists: boolean;
}

/** A checkpoint's unit rows kept past its turn: for the parity check, a weights variant or the page's views. */
interface RetainedVectors {
  documents: DocumentRows;
  queries: Float32Array;
  dim: number;
  imported: boolean;
}

const NOT_FOR_RANKINGS = 'not available for a ranking: a run file has no vectors';
const NOT_FOR_FUSIONS = 'not available for a fusion: it combines rankings, it has no vectors';

/** What every step of one comparison reads: fixed before the first checkpoint runs. */
interface ComparisonRun {
  dataset: Dataset;
  options: ComparisonOptions;
  scoring: ScoringContext;
  names: string[];
  depth: number;
  stats: Required<StatsOptions>;
  kernels: ComparisonKernels;
  relevant: RelevantDocuments;
  documentLabels: (string | undefined)[] | undefined;
  /** Positions of each fusion's inputs. */
  fusionInputs: Map<number, number[]>;
  /** The checkpoints in order, weight variants beside their originals. */
  placed: PlacedCheckpoint[];
  /** Results so far, in checkpoint order. */
  results: CheckpointResult[];
  /** Unit rows kept past their checkpoint's turn: for the parity check and weight variants. */
  retained: Map<number, RetainedVectors>;
  /** Positions whose rows the parity check or a weight variant will read. */
  keep: (index: number) => boolean;
  sweep: SweepCell[];
  progress: (checkpoint: number | null, update: Omit<ComparisonProgress, 'checkpoint' | 'name'>) => void | Promise<void>;
}

/** The fields every result has, whatever produced it. */
type ResultBase = Pick<CheckpointResult, 'name' | 'source' | 'slot' | 'kind'>;

/** A checkpoint with no vectors of its own as a result: nothing was encoded, nothing to diagnose. */
function rankingsResult(
  base: ResultBase,
  produced: { rankings: Rankings; fingerprint: string; backend: string; notes: readonly string[] },
  scored: ScoredRankings,
  extra: Pick<CheckpointResult, 'rankedOn' | 'diagnosticsNote'> & Partial<CheckpointResult>,
): CheckpointResult {
  return {
    ...base,
    fingerprint: produced.fingerprint,
    backend: produced.backend,
    dim: null,
    depth: depthOf(produced.rankings),
    rankings: produced.rankings,
    ...scored,
    notes: [...produced.notes],
    diagnostics: null,
    vectors: null,
    encoded: 0,
    cached: 0,
    seconds: 0,
    ...extra,
  };
}

/** A stored report's model: its rankings re-judged, its metrics the stored per-query values. */
async function storedResult(run: ComparisonRun, index: number, checkpoint: ReportCheckpoint, base: ResultBase, context: CheckpointContext): Promise<CheckpointResult> {
  const stored = await checkpoint.stored(run.dataset, context);
  const { model } = stored;
  return {
    ...rankingsResult(base, { rankings: stored.rankings, fingerprint: model.fingerprint, backend: model.backend, notes: stored.notes }, scoreRankings(stored.rankings, run.scoring, { model: stored, name: run.names[index] }), {
      rankedOn: `stored report (${model.rankedOn})`,
      diagnosticsNote: model.diagnosticsNote ?? null,
    }),
    dim: model.dim,
    depth: model.depth,
    diagnostics: model.diagnostics ?? null,
    stored,
  };
}

/** A fusion of earlier results' rankings. */
async function fusionResult(run: ComparisonRun, index: number, checkpoint: FusionCheckpoint, base: ResultBase, context: CheckpointContext): Promise<CheckpointResult> {
  const { results, names, scoring, depth, stats, options } = run;
  const inputs = run.fusionInputs.get(index)!.map((at) => ({ name: names[at], kind: results[at].kind, rankings: results[at].rankings, fingerprint: results[at].fingerprint, ranksOnly: results[at].ranksOnly }));
  const fused = await checkpoint.fuse(inputs, { ...context, dataset: run.dataset, judgments: scoring.judgments, mode: scoring.mode, metricKeys: scoring.metricKeys, depth, seed: stats.seed });
  options.signal?.throwIfAborted();
  checkRankings(fused.rankings, run.dataset, checkpoint.name);
  return rankingsResult(base, fused, scoreRankings(fused.rankings, scoring), { rankedOn: 'fusion', diagnosticsNote: options.diagnostics === false ? null : NOT_FOR_FUSIONS, fusion: fused.fusion });
}

/** A run file or BM25: rankings produced elsewhere, checked against the dataset. */
async function rankingResult(run: ComparisonRun, checkpoint: RankingCheckpoint, base: ResultBase, context: CheckpointContext): Promise<CheckpointResult> {
  const produced = await checkpoint.rankings(run.dataset, context);
  run.options.signal?.throwIfAborted();
  checkRankings(produced.rankings, run.dataset, checkpoint.name);
  return rankingsResult(base, produced, scoreRankings(produced.rankings, run.scoring), {
    rankedOn: 'run file',
    diagnosticsNote: run.options.diagnostics === false ? null : NOT_FOR_RANKINGS,
    ...(produced.ranksOnly ? { ranksOnly: true } : {}),
  });
}

/**
 * A checkpoint with vectors: checked, normalised in place once, ranked by its similarity, scored, swept
 * (compression, or measured against its fp32 original when it is a weights variant) and diagnosed.
 */
async function vectorResult(run: ComparisonRun, index: number, checkpoint: VectorCheckpoint, base: ResultBase, context: CheckpointContext): Promise<CheckpointResult> {
  const { dataset, options, depth, kernels } = run;
  const produced = await checkpoint.vectors(dataset, context);
  options.signal?.throwIfAborted();
  const { documents, queries, dim } = produced;
  if (documents.length !== dataset.documents.length * dim || queries.length !== dataset.queries.length * dim) {
    throw new RangeError(
      `${checkpoint.name}: ${documents.length / dim} document and ${queries.length / dim} query vectors for ${dataset.documents.length} documents and ${dataset.queries.length} queries`,
    );
  }
  // Health reads the vectors as produced; from here on they are unit rows, in place (no second copy).
  const documentHealth = embeddingHealth(documents, dim);
  const queryHealth = embeddingHealth(queries, dim);
  // A model saved with another similarity (dot, euclidean, manhattan) is ranked by it on its own rows, as
  // sentence-transformers' evaluator ranks it; diagnostics then read unit rows, like everyone else's.
  const similarity = produced.similarity ?? 'cosine';
  if (similarity === 'cosine') normalizeVectors(documents, queries, dim);

  await run.progress(index, { stage: 'rank', done: 0, total: dataset.queries.length });
  const ranked = await similarityTopK(similarity, queries, documents, dim, depth, kernels.topK, kernels.cpuTopK);
  if (similarity !== 'cosine') normalizeVectors(documents, queries, dim);
  options.signal?.throwIfAborted();
  const rankings = rankingsFromTopK(ranked);
  const scored = scoreRankings(rankings, run.scoring);
  await run.progress(index, { stage: 'rank', done: dataset.queries.length, total: dataset.queries.length });

  const notes = ranked.note ? [...produced.notes, ranked.note] : [...produced.notes];
  if (options.sweep) notes.push(...(await sweepVectors(run, index, { documents, queries, dim }, scored.evaluation, produced)));

  let diagnostics: ModelDiagnostics | null = null;
  if (options.diagnostics !== false) {
    const steps = DIAGNOSTIC_STEPS.length;
    diagnostics = await diagnoseEmbeddings(
      { documents, dim, documentHealth, documentLabels: run.documentLabels, labelColumn: dataset.labelColumn, queries, queryHealth, relevant: run.relevant, rankings, triplets: dataset.triplets },
      kernels.diagnostics,
      options.diagnostics ?? {},
      async (step, done) => {
        await run.progress(index, { stage: 'diagnostics', done, total: steps, step });
        options.signal?.throwIfAborted();
      },
    );
    options.signal?.throwIfAborted();
    await run.progress(index, { stage: 'diagnostics', done: steps, total: steps });
  }
  if (run.keep(index)) run.retained.set(index, { documents, queries, dim, imported: checkpoint.imported === true });
  return {
    ...base,
    fingerprint: produced.fingerprint,
    backend: produced.backend,
    ...(produced.backendChoice ? { backendChoice: produced.backendChoice } : {}),
    ...(produced.model ? { model: produced.model } : {}),
    rankedOn: ranked.backend,
    dim,
    depth: ranked.k,
    rankings,
    ...scored,
    notes,
    diagnostics,
    diagnosticsNote: null,
    vectors: options.keepVectors ? { documents, queries, dim } : null,
    encoded: produced.encoded,
    cached: produced.cached,
    seconds: produced.seconds,
  };
}

/**
 * The compression sweep's cells of one vector checkpoint: a weights variant measured against its fp32
 * original, or every size × precision of its own rows. Returns notes for the checkpoint.
 */
async function sweepVectors(
  run: ComparisonRun,
  index: number,
  rows: { documents: DocumentRows; queries: Float32Array; dim: number },
  evaluation: Evaluation,
  speed: { encoded: number; seconds: number },
): Promise<string[]> {
  const { dataset, options, names, stats, scoring } = run;
  const spec = options.sweep!;
  const { documents, queries, dim } = rows;
  const { variantOf } = run.placed[index];
  const original = variantOf ? run.retained.get(variantOf.at) : undefined;
  if (variantOf && original) {
    const of = run.results[variantOf.at];
    if (original.dim !== dim) throw new RangeError(`${names[index]}: ${dim} dimensions, but ${of.name} has ${original.dim}`);
    run.sweep.push(
      weightsCell(
        { model: of.name, weights: variantOf.weights, dim, docCount: dataset.documents.length, full: of.evaluation, variant: evaluation, metricKeys: scoring.metricKeys, stats },
        { documents: float32Rows(original.documents, dim), queries: original.queries },
        { documents: float32Rows(documents, dim), queries },
        speed,
      ),
    );
    return [];
  }
  await run.progress(index, { stage: 'sweep', done: 0, total: 1 });
  // The sweep's variants are float32 copies anyway: float16 documents are widened for it, then dropped.
  run.sweep.push(...sweepCheckpoint({ model: names[index], documents: float32Rows(documents, dim), queries, dim, depth: run.depth, scoring, stats, full: evaluation }, spec));
  options.signal?.throwIfAborted();
  await run.progress(index, { stage: 'sweep', done: 1, total: 1 });
  const skipped = spec.dims.filter((d) => d > dim);
  return skipped.length ? [`compression sweep: ${skipped.join(', ')} dimensions skipped (the vectors have ${dim})`] : [];
}

/** Unit rows, in place (no second copy). */
function normalizeVectors(documents: DocumentRows, queries: Float32Array, dim: number): void {
  normalizeDocumentRows(documents, dim);
  normalizeRows(queries, dim);
}

/**
 * Compares `checkpoints` on `dataset`, the first being the baseline. Checkpoints are taken one at a time
 * (the CLI holds one model in memory at once); each one's vectors are normalised in place once and then
 * serve ranking and diagnostics alike. Then the report, built whole.
 */
export async function compareCheckpoints(dataset: Dataset, checkpoints: readonly Checkpoint[], options: ComparisonOptions): Promise<Comparison> {
  const run = comparisonRun(dataset, checkpoints, options);
  let fingerprinted: Promise<DatasetFingerprint> | null = null;
  const fingerprint = () => (fingerprinted ??= datasetFingerprint(dataset));
  for (const [index, { checkpoint }] of run.placed.entries()) {
    const context: CheckpointContext = { onProgress: (update: CheckpointProgress) => run.progress(index, update), signal: options.signal, fingerprint };
    const base: ResultBase = { name: run.names[index], source: checkpoint.source, slot: checkpoint.slot, kind: checkpoint.kind };
    run.results.push(
      checkpoint.kind === 'report'
        ? await storedResult(run, index, checkpoint, base, context)
        : checkpoint.kind === 'fusion'
          ? await fusionResult(run, index, checkpoint, base, context)
          : checkpoint.kind === 'ranking'
            ? await rankingResult(run, checkpoint, base, context)
            : await vectorResult(run, index, checkpoint, base, context),
    );
  }

  await run.progress(null, { stage: 'report', done: 0, total: 1 });
  const { scoring, stats, results } = run;
  const topLists = options.topLists ?? true;
  const report = buildEvalReport({
    dataset,
    runs: results,
    metricKeys: scoring.metricKeys,
    mode: scoring.mode,
    stats,
    topLists,
    fingerprint: await fingerprint(),
    parity: parityChecks(results, run.retained),
    ...(options.sweep ? { sweep: run.sweep } : {}),
    ...(options.rankedOn ? { kernels: options.rankedOn } : {}),
  });
  return { dataset, judgments: scoring.judgments, mode: scoring.mode, metricKeys: [...scoring.metricKeys], depth: run.depth, stats, checkpoints: results, report, topLists };
}

/** Everything fixed before the first checkpoint runs: names, depth, judgments, kernels, what to keep. */
function comparisonRun(dataset: Dataset, given: readonly Checkpoint[], options: ComparisonOptions): ComparisonRun {
  if (given.length === 0) throw new Error('nothing to compare: give at least one checkpoint');
  // A sweep over weights encodes each model again with each variant, right after it.
  const placed: PlacedCheckpoint[] = options.sweep?.weights.length ? withWeightVariants(given, options.sweep.weights) : given.map((checkpoint) => ({ checkpoint }));
  const checkpoints = placed.map((p) => p.checkpoint);
  const metricKeys = [...options.metricKeys];
  const names = displayNames(checkpoints);
  // A fusion's inputs are checked before anything runs; one that reads deeper lists has everyone rank that deep.
  const fusionInputs = fusionInputPositions(checkpoints, names);
  const fusionDepth = Math.max(0, ...checkpoints.map((c) => (c.kind === 'fusion' ? (c.depth ?? 0) : 0)));
  const judgments = dataset.judgments;
  // Unit rows of models encoded here and of imported vectors, kept to the end for the parity check — only
  // while it can apply: a run of imported vectors alone holds one checkpoint's vectors at a time.
  const vectorSources = checkpoints.filter((c) => c.kind === 'vectors');
  const hasImported = vectorSources.some((c) => c.imported) && vectorSources.some((c) => !c.imported);
  // Originals of weight variants, kept until their variants are measured against them.
  const originals = new Set(placed.flatMap((p) => (p.variantOf ? [p.variantOf.at] : [])));
  return {
    dataset,
    options,
    scoring: { dataset, judgments, mode: options.mode, metricKeys },
    names,
    depth: Math.max(options.depth ?? DEFAULT_DEPTH, requiredDepth(metricKeys.map(parseMetricKey)), fusionDepth),
    stats: resolveStats(options.stats),
    kernels: options.kernels ?? { topK: null, diagnostics: cpuDiagnosticKernels },
    relevant: relevantDocuments(judgments),
    documentLabels: dataset.documents.hasLabels ? Array.from({ length: dataset.documents.length }, (_, d) => dataset.documents.label(d)) : undefined,
    fusionInputs,
    placed,
    results: [],
    retained: new Map(),
    keep: (index) => hasImported || options.keepVectors === true || originals.has(index),
    sweep: [],
    progress: (checkpoint, update) => options.onProgress?.({ checkpoint, name: checkpoint === null ? null : names[checkpoint], ...update }),
  };
}

/**
 * The same comparison scored in another mode or with other metrics: every ranking is judged again (TREC
 * orders ties by id and grades its gains), nothing is encoded or ranked again.
 */
export function rescoreComparison(comparison: Comparison, mode: EvaluationMode, metricKeys: readonly string[]): Comparison {
  const scoring: ScoringContext = { dataset: comparison.dataset, judgments: comparison.judgments, mode, metricKeys };
  const checkpoints = comparison.checkpoints.map((checkpoint) => ({
    ...checkpoint,
    ...scoreRankings(checkpoint.rankings, scoring, checkpoint.stored ? { model: checkpoint.stored, name: checkpoint.name } : undefined),
  }));
  const previous = comparison.report;
  // Sweep cells were scored in the run's mode on its metrics: they stand only while those do.
  const sameScoring = mode === comparison.mode && metricKeys.length === comparison.metricKeys.length && metricKeys.every((k, i) => k === comparison.metricKeys[i]);
  const report = buildEvalReport({
    dataset: comparison.dataset,
    runs: checkpoints,
    metricKeys,
    mode,
    stats: comparison.stats,
    topLists: comparison.topLists,
    ...(previous.dataset.fingerprint ? { fingerprint: previous.dataset.fingerprint } : {}),
    parity: previous.parity,
    ...(previous.sweep && sameScoring ? { sweep: previous.sweep } : {}),
    ...(previous.kernels ? { kernels: previous.kernels } : {}),
  });
  return { ...comparison, mode, metricKeys: [...metricKeys], checkpoints, report };
}

/** Each imported vector set against each model encoded here with the same dimension: does the lab reproduce it? */
function parityChecks(results: readonly CheckpointResult[], retained: ReadonlyMap<number, RetainedVectors>): VectorParity[] {
  const checks: VectorParity[] = [];
  for (const [i, model] of retained) {
    if (model.imported) continue;
    for (const [j, imported] of retained) {
      if (!imported.imported || imported.dim !== model.dim) continue;
      checks.push(vectorParity({ ...model, name: results[i].name, rankings: results[i].rankings }, { ...imported, name: results[j].name, rankings: results[j].rankings }));
    }
  }
  return checks;
}

/** Each judged query's relevant documents (grade > 0). */
function relevantDocuments(judgments: Judgments): RelevantDocuments {
  const queryRows: number[] = [];
  const offsets = [0];
  const docs: number[] = [];
  for (let i = 0; i < judgments.queries.length; i++) {
    for (let j = judgments.offsets[i]; j < judgments.offsets[i + 1]; j++) if (judgments.grades[j] > 0) docs.push(judgments.docs[j]);
    if (docs.length > offsets[offsets.length - 1]) {
      queryRows.push(judgments.queries[i]);
      offsets.push(docs.length);
    }
  }
  return { queryRows: Int32Array.from(queryRows), offsets: Int32Array.from(offsets), docs: Int32Array.from(docs) };
}

function checkRankings(rankings: Rankings, dataset: Dataset, name: string): void {
  if (rankings.offsets.length !== dataset.queries.length + 1) {
    throw new RangeError(`${name}: rankings for ${rankings.offsets.length - 1} queries, the dataset has ${dataset.queries.length}`);
  }
}
