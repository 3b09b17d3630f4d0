import { DEFAULT_RESCORE, parseSweep, type SweepSpec } from '../../core/eval/compressionSweep.ts';
import { parseFuseSpec, type FuseSpec } from '../../core/eval/fusion/fusionCheckpoint.ts';
import type { PromptOverrides } from '../../core/eval/modelRunInfo.ts';
import { BM25_METHODS, type Bm25Method, type Bm25Parameters } from '../../core/lexical/bm25Scoring.ts';
import type { WeightsFormat } from '../../core/model/modelFolder.ts';
import { parseMetricKey } from '../../core/metrics/registry.ts';
import { UsageError } from '../cliError.ts';
import type { ParsedValues } from '../command.ts';
import { commaList, nonNegativeNumber, wholeNumber } from '../optionValues.ts';
import { weightsFormat } from '../weightsOption.ts';

/** `embedlab eval`'s options: the parser's schema (help lines sit beside them in eval.ts). */
export const EVAL_OPTIONS = {
  model: { type: 'string', multiple: true },
  vectors: { type: 'string', multiple: true },
  run: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  'baseline-model': { type: 'string' },
  k: { type: 'string', default: '1,3,5,10' },
  metrics: { type: 'string' },
  trec: { type: 'boolean', default: false },
  split: { type: 'string', default: 'test' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  'fail-if-worse': { type: 'string' },
  tolerance: { type: 'string', default: '0' },
  junit: { type: 'string' },
  'junit-queries': { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  seed: { type: 'string' },
  permutations: { type: 'string', default: '10000' },
  'label-column': { type: 'string' },
  'no-diagnostics': { type: 'boolean', default: false },
  bm25: { type: 'boolean', default: false },
  'bm25-method': { type: 'string', default: 'lucene' },
  'bm25-k1': { type: 'string', default: '1.5' },
  'bm25-b': { type: 'string', default: '0.75' },
  fuse: { type: 'string', multiple: true },
  'fuse-depth': { type: 'string' },
  runs: { type: 'string' },
  'query-prompt': { type: 'string' },
  'document-prompt': { type: 'string' },
  weights: { type: 'string', default: 'auto' },
  sweep: { type: 'string', multiple: true },
  rescore: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

export type EvalValues = ParsedValues<typeof EVAL_OPTIONS>;

/** The randomization test's bounds: core needs 10 000; 10 million is a p-value resolution of 1e-7, in bounded time. */
const MIN_PERMUTATIONS = 10_000;
const MAX_PERMUTATIONS = 10_000_000;
/** Seeds are 32-bit (mulberry32). */
const MAX_SEED = 2 ** 32 - 1;
/** The sweep's rescoring multiplier: top k × m candidates are rescored. */
const MAX_RESCORE = 1000;
/** The deepest a fusion reads its inputs' lists. */
const MAX_FUSE_DEPTH = 100_000;

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
 * checked before any path is looked at or any data read. `order` is the options in command-line order (the
 * checkpoints compare in the order given).
 */
export function planEval(values: EvalValues, positionals: readonly string[], order: readonly { name: string; value: string | undefined }[]): EvalPlan {
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
  const fuseDepth = values['fuse-depth'] === undefined ? undefined : wholeNumber('eval', '--fuse-depth', values['fuse-depth'], 1, MAX_FUSE_DEPTH);
  if (fuseDepth !== undefined && fusions.length === 0) throw new UsageError('eval: --fuse-depth sets how deep --fuse reads its inputs: give --fuse too');
  const count = checkpoints.length + fusions.length + (values.baseline !== undefined ? 1 : 0);
  if (count === 0) throw new UsageError('eval: give the checkpoints to evaluate (--model, --vectors NAME=PATH, --run NAME=PATH; --baseline REPORT.json)');
  if (count === 1 && values['fail-if-worse'] !== undefined) throw new UsageError('eval: --fail-if-worse compares a checkpoint with a baseline: give two checkpoints, or --baseline REPORT.json and one');

  const ks = commaList('eval', '--k', values.k).map((s) => Number(s));
  if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new UsageError(`eval: --k must list positive integers, got "${values.k}"`);
  const listed = values.metrics !== undefined ? commaList('eval', '--metrics', values.metrics) : null;
  for (const key of listed ?? []) checkMetricKey(key);
  const gated = values['fail-if-worse'] !== undefined ? commaList('eval', '--fail-if-worse', values['fail-if-worse']) : [];
  for (const key of gated) checkMetricKey(key);
  const tolerance = nonNegativeNumber('eval', '--tolerance', values.tolerance);
  if (values.junit !== undefined && gated.length === 0) throw new UsageError('eval: --junit reports the gate: give --fail-if-worse METRIC[,METRIC…] too');
  if (values['junit-queries'] && values.junit === undefined) throw new UsageError('eval: --junit-queries adds per-query cases to --junit FILE: give --junit too');
  if (values.rescore !== undefined && !values.sweep) throw new UsageError('eval: --rescore sets the sweep\'s rescoring multiplier: give --sweep too');
  let sweep: SweepSpec | undefined;
  if (values.sweep) {
    // A run file, BM25, a fusion or a stored report ranks without vectors: a sweep would silently do nothing.
    if (!checkpoints.some((c) => c.kind === 'model' || c.kind === 'vectors')) {
      throw new UsageError('eval: --sweep compresses vectors, and no checkpoint given has any (run files, BM25, fusions and --baseline reports are rankings): nothing to sweep; give a --model or --vectors');
    }
    const rescore = values.rescore === undefined ? DEFAULT_RESCORE : wholeNumber('eval', '--rescore', values.rescore, 1, MAX_RESCORE);
    try {
      sweep = parseSweep(values.sweep, rescore);
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
    metrics: { listed, ks, chosen: order.some((o) => o.name === 'k' || o.name === 'metrics') },
    trec: values.trec,
    gate: { metrics: gated, tolerance, junitQueries: values['junit-queries'] },
    outputs: {
      ...(values.json !== undefined ? { json: values.json } : {}),
      ...(values.markdown !== undefined ? { markdown: values.markdown } : {}),
      ...(values.junit !== undefined ? { junit: values.junit } : {}),
      ...(values.runs !== undefined ? { runs: values.runs } : {}),
    },
    cacheDir: values['no-cache'] ? null : values['cache-dir'],
    stats: {
      permutations: wholeNumber('eval', '--permutations', values.permutations, MIN_PERMUTATIONS, MAX_PERMUTATIONS),
      ...(values.seed !== undefined ? { seed: wholeNumber('eval', '--seed', values.seed, 0, MAX_SEED) } : {}),
    },
    diagnostics: !values['no-diagnostics'],
    ...(sweep ? { sweep } : {}),
    weights: weightsFormat(values.weights, 'eval'),
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

/** `--bm25-method`, `--bm25-k1`, `--bm25-b`. */
function bm25Parameters(values: EvalValues): Partial<Bm25Parameters> {
  const method = values['bm25-method'];
  if (!(BM25_METHODS as readonly string[]).includes(method)) throw new UsageError(`eval: --bm25-method must be one of ${BM25_METHODS.join(', ')}, got "${method}"`);
  const k1 = nonNegativeNumber('eval', '--bm25-k1', values['bm25-k1']);
  const b = nonNegativeNumber('eval', '--bm25-b', values['bm25-b']);
  if (b > 1) throw new UsageError(`eval: --bm25-b must be between 0 and 1, got ${b}`);
  return { method: method as Bm25Method, k1, b };
}
