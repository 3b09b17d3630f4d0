import { DEFAULT_RESCORE, parseSweep, type SweepSpec } from '../../core/eval/compressionSweep.ts';
import { parseFuseSpec, type FuseSpec } from '../../core/eval/fusion/fusionCheckpoint.ts';
import type { PromptOverrides } from '../../core/eval/modelRunInfo.ts';
import { BM25_METHODS, type Bm25Parameters } from '../../core/lexical/bm25Scoring.ts';
import type { WeightsFormat } from '../../core/model/modelFolder.ts';
import { parseMetricKey } from '../../core/metrics/registry.ts';
import { DIAGNOSTICS_SEED } from '../../core/diagnostics/sample.ts';
import { UsageError } from '../cliError.ts';
import { defineOptions, type GivenOption, type OptionValues } from '../command.ts';
import { defaultCacheDir } from '../diskEmbeddingStore.ts';
import { choice, commaList, decimal, positiveWholeList, whole, type ValueKind } from '../optionValues.ts';
import { weightsOption } from '../weightsOption.ts';

/** The randomization test's bounds: core needs 10 000; 10 million is a p-value resolution of 1e-7, in bounded time. */
const MIN_PERMUTATIONS = 10_000;
const MAX_PERMUTATIONS = 10_000_000;
/** Seeds are 32-bit (mulberry32). */
const MAX_SEED = 2 ** 32 - 1;
/** The sweep's rescoring multiplier: top k × m candidates are rescored. */
const MAX_RESCORE = 1000;
/** The deepest a fusion reads its inputs' lists. */
const MAX_FUSE_DEPTH = 100_000;

/** Metric keys, comma-separated, each one the registry knows (`ndcg@10,recall@100`). */
const metricKeyList: ValueKind<string[]> = {
  rule: 'comma-separated metric keys',
  read(text, where) {
    const keys = commaList().read(text, where);
    for (const key of keys) checkMetricKey(key);
    return keys;
  },
};

/** `embedlab eval`'s options, one record each: the parser's schema, `--help` and the checks come from here. */
export const EVAL_OPTIONS = defineOptions({
  model: { type: 'string', multiple: true, help: 'a model folder, or hf:owner/name[@revision] from the Hugging Face hub (HF_TOKEN for private or gated ones), encoded here (checkpoints compare in the order given; the first is the baseline A)' },
  vectors: { type: 'string', multiple: true, help: 'precomputed embeddings as a checkpoint: NAME=FOLDER (documents.npy + queries.npy with .ids.txt/.json, or Arrow/Feather/parquet files or part folders with id and embedding columns), or NAME=DOCS.npy,QUERIES.npy' },
  run: { type: 'string', multiple: true, help: 'a ranking as a checkpoint: NAME=FILE, a TREC run (qid Q0 docid rank score tag) or qid docid score' },
  baseline: { type: 'string', help: 'a report this lab wrote (--json, or the page\'s JSON export) as the first checkpoint: its stored per-query values, nothing encoded again; the data must be the same (exit 2 naming what changed); metrics and mode default to the report\'s' },
  'baseline-model': { type: 'string', help: 'with --baseline: the model of the report to compare against, when it holds several' },
  k: { type: 'string', default: '1,3,5,10', value: positiveWholeList(), help: 'cutoffs for accuracy/precision/recall (NDCG at those ≥ 5, MRR at the largest, MAP@100)' },
  metrics: { type: 'string', value: metricKeyList, help: 'explicit metric list instead, e.g. ndcg@10,recall@100,mrr@10' },
  trec: { type: 'boolean', default: false, help: 'trec_eval semantics: graded NDCG, AP ÷ |R|, reciprocal rank without cutoff, ties by doc id desc' },
  split: { type: 'string', default: 'test', help: 'qrels split of a BEIR folder' },
  json: { type: 'string', help: 'write the full report (per-query values, top results, comparisons, diagnostics) as JSON to this file (each output is checked before anything is read, and written whole or not at all: a temporary file renamed)' },
  markdown: { type: 'string', help: 'write a Markdown report (with per-query examples) to this file' },
  'fail-if-worse': { type: 'string', value: metricKeyList, help: 'a CI gate: exit 1 when the data show a later model worse than A by more than --tolerance on any of these metrics' },
  tolerance: { type: 'string', default: '0', value: decimal(), help: 'the loss the gate accepts, in the metric\'s units (e.g. 0.005); the rule: a one-sided bootstrap upper bound of Δ below −tolerance, Bonferroni over the gated metrics (α = 0.05)' },
  junit: { type: 'string', help: 'write the gate as JUnit XML to this file (a test case per gated metric and model)' },
  'junit-queries': { type: 'boolean', default: false, help: 'with --junit: also a failed test case per query that regressed by more than the tolerance' },
  'cache-dir': { type: 'string', defaultText: defaultCacheDir(), help: 'embedding cache folder' },
  'no-cache': { type: 'boolean', default: false, help: 'encode everything, read and write no cache' },
  // No parser default: core's statistics and diagnostics both default to this seed when none is given.
  seed: { type: 'string', value: whole(0, MAX_SEED), defaultText: String(DIAGNOSTICS_SEED), help: 'seed of the permutation test, bootstrap and diagnostics samples' },
  permutations: { type: 'string', default: String(MIN_PERMUTATIONS), value: whole(MIN_PERMUTATIONS, MAX_PERMUTATIONS), help: 'randomization-test permutations' },
  'label-column': { type: 'string', help: 'the column holding labels/domains (pairs and triplets files), for diagnostics and slices' },
  'no-diagnostics': { type: 'boolean', default: false, help: 'skip the cluster and embedding diagnostics (labels from the data, else k-means clusters)' },
  bm25: { type: 'boolean', default: false, help: 'BM25 as a checkpoint (named bm25, placed where the flag is): the dataset\'s documents ranked for its queries with no model, as bm25s defines it (lower case, its token pattern, English stop words, Snowball English stemmer)' },
  'bm25-method': { type: 'string', default: 'lucene', value: choice(BM25_METHODS), help: 'with --bm25: bm25s\'s variant' },
  'bm25-k1': { type: 'string', default: '1.5', value: decimal(), help: 'with --bm25: k1 (term-frequency saturation)' },
  'bm25-b': { type: 'string', default: '0.75', value: decimal(1), help: 'with --bm25: b (length normalisation)' },
  fuse: { type: 'string', multiple: true, help: 'a hybrid as a checkpoint: NAME=METHOD:A,B[,…] fuses the rankings of checkpoints A, B (names as the report shows them; given earlier) — METHOD rrf[@K], combsum, combmnz, wsum[@W] (no W: cross-validated over 5 query folds), optionally +min-max|max|sum|zmuv|rank, as ranx defines them' },
  'fuse-depth': { type: 'string', value: whole(1, MAX_FUSE_DEPTH), defaultText: 'the comparison\'s depth, 100 unless a metric needs more', help: 'with --fuse: how much of each input\'s list to fuse' },
  runs: { type: 'string', help: 'write every checkpoint\'s full ranking as a TREC run file into this folder (trec_eval and ranx read them)' },
  'query-prompt': { type: 'string', help: 'the prompt prepended to every query, for every --model ("" for none), in place of the model\'s own (its config_sentence_transformers.json prompts, as encode_query chooses them); the evaluator\'s query_prompt' },
  'document-prompt': { type: 'string', help: 'the prompt prepended to every document, in place of the model\'s own (as encode_document chooses it); the evaluator\'s corpus_prompt' },
  weights: weightsOption('which weights of a model folder to run (auto: model.safetensors when the folder has it, the graph built here; else the ONNX export)'),
  sweep: { type: 'string', multiple: true, help: 'a compression sweep over each vector checkpoint: dims=384,256,128,64 and/or precision=float32,float16,int8,binary (repeat the flag for both); int8 and binary are scored plain and rescored' },
  rescore: { type: 'string', default: String(DEFAULT_RESCORE), value: whole(1, MAX_RESCORE), help: 'with --sweep: the rescoring multiplier m (the top k × m candidates rescored by the float query)' },
  help: { type: 'boolean', default: false, help: 'show this help' },
});

export type EvalValues = OptionValues<typeof EVAL_OPTIONS>;

/** A checkpoint as the command line gives it, in command-line order; nothing is opened yet. */
export type PlannedCheckpoint =
  | { kind: 'model'; location: string }
  | { kind: 'vectors' | 'ranking'; spec: string }
  | { kind: 'bm25'; parameters: Partial<Bm25Parameters> };

/** Everything `eval` will do, every value checked: what the command runs once the paths hold. */
export interface EvalPlan {
  data: string[];
  split: string;
  labelColumn?: string;
  checkpoints: PlannedCheckpoint[];
  /** `--baseline REPORT.json` (and the model in it): the first checkpoint. */
  baseline: { file: string; model?: string } | null;
  /** Hybrids, after every other checkpoint: they fuse ones given before them. */
  fusions: FuseSpec[];
  fuseDepth?: number;
  metrics: {
    /** `--metrics`, as listed; null: derived from `ks` and the mode (or taken from the baseline). */
    listed: string[] | null;
    ks: number[];
    /** Whether `--k` or `--metrics` was given: a baseline's metrics are kept only when neither was. */
    chosen: boolean;
  };
  trec: boolean;
  gate: { metrics: string[]; tolerance: number; junitQueries: boolean };
  outputs: { json?: string; markdown?: string; junit?: string; runs?: string };
  /** The cache folder asked for (undefined: the default), or null for `--no-cache`. */
  cacheDir: string | undefined | null;
  stats: { permutations: number; seed?: number };
  diagnostics: boolean;
  sweep?: SweepSpec;
  weights: WeightsFormat;
  prompts: PromptOverrides;
}

/**
 * The command line → an {@link EvalPlan}, or a usage error (exit 2) naming the option: pure, so every value is
 * checked before any path is looked at or any data read. `values` are already read by their records (numbers,
 * lists and choices checked); this checks how the options go together. `order` is the options in command-line
 * order (the checkpoints compare in the order given).
 */
export function planEval(values: EvalValues, positionals: readonly string[], order: readonly GivenOption[]): EvalPlan {
  if (positionals.length === 0) throw new UsageError('eval: give the data to evaluate, e.g. embedlab eval ./scifact --model A --model B');
  if (values['baseline-model'] && !values.baseline) throw new UsageError('eval: --baseline-model names a model of --baseline REPORT.json: give --baseline too');
  if (values.baseline === '') throw new UsageError('eval: --baseline is empty: give a report this lab wrote');

  const bm25 = values.bm25 ? bm25Parameters(values) : null;
  const bm25Option = order.find((o) => o.name.startsWith('bm25-'));
  if (bm25Option && !bm25) throw new UsageError(`eval: --${bm25Option.name} sets a parameter of --bm25: give --bm25 too`);
  const checkpoints = order
    .filter((o) => ['model', 'vectors', 'run'].includes(o.name) || (o.name === 'bm25' && bm25))
    .map(({ name, value = '' }): PlannedCheckpoint => {
      if (name === 'bm25') return { kind: 'bm25', parameters: bm25! };
      if (value === '') throw new UsageError(`eval: --${name} is empty: give ${name === 'model' ? 'a model folder' : 'NAME=PATH'}`);
      return name === 'model' ? { kind: 'model', location: value } : { kind: name === 'run' ? 'ranking' : 'vectors', spec: value };
    });
  const fusions = (values.fuse ?? []).map((text) => parseFuseSpec(text));
  const fuseDepth = values['fuse-depth'];
  if (fuseDepth !== undefined && fusions.length === 0) throw new UsageError('eval: --fuse-depth sets how deep --fuse reads its inputs: give --fuse too');
  const count = checkpoints.length + fusions.length + (values.baseline !== undefined ? 1 : 0);
  if (count === 0) throw new UsageError('eval: give the checkpoints to evaluate (--model, --vectors NAME=PATH, --run NAME=PATH; --baseline REPORT.json)');
  if (count === 1 && values['fail-if-worse'] !== undefined) throw new UsageError('eval: --fail-if-worse compares a checkpoint with a baseline: give two checkpoints, or --baseline REPORT.json and one');

  const gated = values['fail-if-worse'] ?? [];
  if (values.junit !== undefined && gated.length === 0) throw new UsageError('eval: --junit reports the gate: give --fail-if-worse METRIC[,METRIC…] too');
  if (values['junit-queries'] && values.junit === undefined) throw new UsageError('eval: --junit-queries adds per-query cases to --junit FILE: give --junit too');
  if (order.some((o) => o.name === 'rescore') && !values.sweep) throw new UsageError('eval: --rescore sets the sweep\'s rescoring multiplier: give --sweep too');
  let sweep: SweepSpec | undefined;
  if (values.sweep) {
    // A run file, BM25, a fusion or a stored report ranks without vectors: a sweep would silently do nothing.
    if (!checkpoints.some((c) => c.kind === 'model' || c.kind === 'vectors')) {
      throw new UsageError('eval: --sweep compresses vectors, and no checkpoint given has any (run files, BM25, fusions and --baseline reports are rankings): nothing to sweep; give a --model or --vectors');
    }
    try {
      sweep = parseSweep(values.sweep, values.rescore);
    } catch (error) {
      throw new UsageError(`eval: ${(error as Error).message}`);
    }
  }
  const prompts: PromptOverrides = {
    ...(values['query-prompt'] !== undefined ? { query: values['query-prompt'] } : {}),
    ...(values['document-prompt'] !== undefined ? { document: values['document-prompt'] } : {}),
  };
  for (const option of ['json', 'markdown', 'junit', 'runs'] as const) {
    if (values[option] === '') throw new UsageError(`eval: --${option} needs a ${option === 'runs' ? 'folder' : 'file'} name`);
  }
  if (values['cache-dir'] === '') throw new UsageError('eval: --cache-dir needs a folder name');
  if (values['cache-dir'] !== undefined && values['no-cache']) throw new UsageError('eval: --cache-dir and --no-cache contradict each other: give one');

  return {
    data: [...positionals],
    split: values.split,
    ...(values['label-column'] !== undefined ? { labelColumn: values['label-column'] } : {}),
    checkpoints,
    baseline: values.baseline === undefined ? null : { file: values.baseline, ...(values['baseline-model'] ? { model: values['baseline-model'] } : {}) },
    fusions,
    ...(fuseDepth !== undefined ? { fuseDepth } : {}),
    metrics: { listed: values.metrics ?? null, ks: values.k, chosen: order.some((o) => o.name === 'k' || o.name === 'metrics') },
    trec: values.trec,
    gate: { metrics: gated, tolerance: values.tolerance, junitQueries: values['junit-queries'] },
    outputs: {
      ...(values.json !== undefined ? { json: values.json } : {}),
      ...(values.markdown !== undefined ? { markdown: values.markdown } : {}),
      ...(values.junit !== undefined ? { junit: values.junit } : {}),
      ...(values.runs !== undefined ? { runs: values.runs } : {}),
    },
    cacheDir: values['no-cache'] ? null : values['cache-dir'],
    stats: {
      permutations: values.permutations,
      ...(values.seed !== undefined ? { seed: values.seed } : {}),
    },
    diagnostics: !values['no-diagnostics'],
    ...(sweep ? { sweep } : {}),
    weights: values.weights,
    prompts,
  };
}

export function checkMetricKey(key: string): void {
  try {
    parseMetricKey(key);
  } catch (error) {
    throw new UsageError(`eval: ${(error as Error).message}`);
  }
}

/** `--bm25-method`, `--bm25-k1`, `--bm25-b` (each checked by its record). */
function bm25Parameters(values: EvalValues): Partial<Bm25Parameters> {
  return { method: values['bm25-method'], k1: values['bm25-k1'], b: values['bm25-b'] };
}
