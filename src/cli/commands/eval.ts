import { OrtTopK } from '../../core/kernels/topk/topk.ort.ts';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError, formatLocation } from '../../core/data/dataset.ts';
import { encoderCheckpoint, type Checkpoint, type VectorCheckpoint } from '../../core/eval/checkpoint.ts';
import type { ModelVariant } from '../../core/model/modelSpec.ts';
import type { WeightsFormat } from '../../core/model/modelFolder.ts';
import { modelRunInfo, resolvedPrompts, type PromptOverrides } from '../../core/eval/modelRunInfo.ts';
import { WEIGHTS_FORMATS, weightsFormat } from '../weightsOption.ts';
import { compareCheckpoints, cpuKernelsWith } from '../../core/eval/compare.ts';
import { progressPrinter } from '../progressPrinter.ts';
import { modelFingerprint, type EmbeddingStore } from '../../core/eval/embeddingCache.ts';
import { parseStoredReport, pickStoredModel, reportCheckpoint } from '../../core/eval/reportCheckpoint.ts';
import { runFileCheckpoint } from '../../core/eval/runCheckpoint.ts';
import { DEFAULT_RESCORE, parseSweep, type SweepSpec } from '../../core/eval/compressionSweep.ts';
import { vectorFileCheckpoint } from '../../core/eval/vectorFileCheckpoint.ts';
import { fusionCheckpoint, parseFuseSpec } from '../../core/eval/fusion/fusionCheckpoint.ts';
import { exportFiles, type ExportFile } from '../../core/eval/exportFiles.ts';
import { bm25Checkpoint, bm25Source } from '../../core/eval/bm25Checkpoint.ts';
import { BM25_METHODS, type Bm25Method, type Bm25Parameters } from '../../core/lexical/bm25Scoring.ts';
import { byteRange } from '../../core/data/vectors/readFile.ts';
import type { EvaluationMode } from '../../core/metrics/rankings.ts';
import { defaultMetricKeys, parseMetricKey } from '../../core/metrics/registry.ts';
import { reportExamples } from '../../core/report/examples.ts';
import { reportJson, type EvalReport, type ModelReport } from '../../core/report/evalReport.ts';
import { gateVerdicts } from '../../core/report/gate.ts';
import { gateJunit } from '../../core/report/junit.ts';
import { renderMarkdown } from '../../core/report/markdown.ts';
import { UsageError } from '../cliError.ts';
import { defineCommand } from '../command.ts';
import { defaultCacheDir, diskEmbeddingStore } from '../diskEmbeddingStore.ts';
import { checkModelLocation, cliModelName, HUB_PREFIX } from '../cliModelSource.ts';
import { checkPath, checkReadableFile, listFolder, openRegularFile, pathProblem, readRegularFile, reason } from '../inputPath.ts';
import { commaList, nonNegativeNumber, wholeNumber } from '../optionValues.ts';
import { checkOutputPath, writeOutput, type InputPath, type OutputTarget } from '../outputPath.ts';
import { loadNodeEncoder } from '../nodeEncoder.ts';
import { cliRuntime } from '../onnxRuntime.ts';
import { formatReportTable, formatSweepTable } from '../printReport.ts';
import { terminalSafe, wantsColour } from '../terminalText.ts';
import { readInputs, requireDataset } from '../readDataset.ts';

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'Rank a dataset with checkpoints and compare them (metrics, deltas, CI, p-values); one alone makes a baseline report.',
  usage: 'eval <data…> [--baseline REPORT.json] --model <A> [--vectors NAME=PATH] [--run NAME=PATH] … [options]',
  options: {
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
  },
  help: {
    model: 'a model folder, or hf:owner/name[@revision] from the Hugging Face hub (HF_TOKEN for private or gated ones), encoded here (checkpoints compare in the order given; the first is the baseline A)',
    vectors: 'precomputed embeddings as a checkpoint: NAME=FOLDER (documents.npy + queries.npy with .ids.txt/.json, or Arrow/Feather/parquet files or part folders with id and embedding columns), or NAME=DOCS.npy,QUERIES.npy',
    run: 'a ranking as a checkpoint: NAME=FILE, a TREC run (qid Q0 docid rank score tag) or qid docid score',
    baseline: 'a report this lab wrote (--json, or the page\'s JSON export) as the first checkpoint: its stored per-query values, nothing encoded again; the data must be the same (exit 2 naming what changed); metrics and mode default to the report\'s',
    'baseline-model': 'with --baseline: the model of the report to compare against, when it holds several',
    k: 'cutoffs for accuracy/precision/recall (NDCG at those ≥ 5, MRR at the largest, MAP@100)',
    metrics: 'explicit metric list instead, e.g. ndcg@10,recall@100,mrr@10',
    trec: 'trec_eval semantics: graded NDCG, AP ÷ |R|, reciprocal rank without cutoff, ties by doc id desc',
    split: 'qrels split of a BEIR folder',
    json: 'write the full report (per-query values, top results, comparisons, diagnostics) as JSON to this file (each output is checked before anything is read, and written whole or not at all: a temporary file renamed)',
    markdown: 'write a Markdown report (with per-query examples) to this file',
    'fail-if-worse': 'a CI gate: exit 1 when the data show a later model worse than A by more than --tolerance on any of these metrics (comma-separated)',
    tolerance: 'the loss the gate accepts, in the metric\'s units (e.g. 0.005); the rule: a one-sided bootstrap upper bound of Δ below −tolerance, Bonferroni over the gated metrics (α = 0.05)',
    junit: 'write the gate as JUnit XML to this file (a test case per gated metric and model)',
    'junit-queries': 'with --junit: also a failed test case per query that regressed by more than the tolerance',
    'cache-dir': `embedding cache folder (default ${defaultCacheDir()})`,
    'no-cache': 'encode everything, read and write no cache',
    seed: 'seed of the permutation test, bootstrap and diagnostics samples: a whole number from 0 to 4294967295 (default 20260101)',
    permutations: 'randomization-test permutations: a whole number from 10000 to 10000000',
    'label-column': 'the column holding labels/domains (pairs and triplets files), for diagnostics and slices',
    'no-diagnostics': 'skip the cluster and embedding diagnostics (labels from the data, else k-means clusters)',
    bm25: 'BM25 as a checkpoint (named bm25, placed where the flag is): the dataset\'s documents ranked for its queries with no model, as bm25s defines it (lower case, its token pattern, English stop words, Snowball English stemmer)',
    'bm25-method': `with --bm25: ${BM25_METHODS.join(' | ')} (bm25s's variants)`,
    'bm25-k1': 'with --bm25: k1 (term-frequency saturation)',
    'bm25-b': 'with --bm25: b (length normalisation)',
    fuse: 'a hybrid as a checkpoint: NAME=METHOD:A,B[,…] fuses the rankings of checkpoints A, B (names as the report shows them; given earlier) — METHOD rrf[@K], combsum, combmnz, wsum[@W] (no W: cross-validated over 5 query folds), optionally +min-max|max|sum|zmuv|rank, as ranx defines them',
    'fuse-depth': 'with --fuse: how much of each input\'s list to fuse (default 100, the comparison ranks that deep)',
    runs: 'write every checkpoint\'s full ranking as a TREC run file into this folder (trec_eval and ranx read them)',
    'query-prompt': 'the prompt prepended to every query, for every --model ("" for none), in place of the model\'s own (its config_sentence_transformers.json prompts, as encode_query chooses them); the evaluator\'s query_prompt',
    'document-prompt': 'the prompt prepended to every document, in place of the model\'s own (as encode_document chooses it); the evaluator\'s corpus_prompt',
    weights: `which weights of a model folder to run: ${WEIGHTS_FORMATS.join(' | ')} (auto: model.safetensors when the folder has it, the graph built here; else the ONNX export)`,
    sweep: 'a compression sweep over each vector checkpoint: dims=384,256,128,64 and/or precision=float32,float16,int8,binary (repeat the flag for both); int8 and binary are scored plain and rescored',
    rescore: `with --sweep: the rescoring multiplier m (the top k × m candidates rescored by the float query; default ${DEFAULT_RESCORE})`,
    help: 'show this help',
  },
  async run(values, positionals, order) {
    if (positionals.length === 0) throw new UsageError('eval: give the data to evaluate, e.g. embedlab eval ./scifact --model A --model B');
    const given = order
      .filter((o) => ['model', 'vectors', 'run'].includes(o.name) || (o.name === 'bm25' && values.bm25))
      .map((o) => ({ kind: o.name as 'model' | 'vectors' | 'run' | 'bm25', value: o.value ?? '' }));
    if (values['baseline-model'] && !values.baseline) throw new UsageError('eval: --baseline-model names a model of --baseline REPORT.json: give --baseline too');
    const fusions = (values.fuse ?? []).map((text) => parseFuseSpec(text));
    const fuseDepth = values['fuse-depth'] === undefined ? undefined : wholeNumber('eval', '--fuse-depth', values['fuse-depth'], 1, 100_000);
    if (fuseDepth !== undefined && fusions.length === 0) throw new UsageError('eval: --fuse-depth sets how deep --fuse reads its inputs: give --fuse too');
    const bm25Params = values.bm25 ? bm25Parameters(values) : null;
    const count = given.length + fusions.length + (values.baseline !== undefined ? 1 : 0);
    if (count === 0) throw new UsageError('eval: give the checkpoints to evaluate (--model, --vectors NAME=PATH, --run NAME=PATH; --baseline REPORT.json)');
    if (count === 1 && values['fail-if-worse'] !== undefined) throw new UsageError('eval: --fail-if-worse compares a checkpoint with a baseline: give two checkpoints, or --baseline REPORT.json and one');

    // Every number and list first, then every path (cheap: stats, folder listings), then the outputs:
    // nothing is read or encoded before all of it holds.
    const ks = commaList('eval', '--k', values.k).map((s) => Number(s));
    if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new UsageError(`eval: --k must list positive integers, got "${values.k}"`);
    const listedMetrics = values.metrics !== undefined ? commaList('eval', '--metrics', values.metrics) : null;
    for (const key of listedMetrics ?? []) checkMetricKey(key);
    const gated = values['fail-if-worse'] !== undefined ? commaList('eval', '--fail-if-worse', values['fail-if-worse']) : [];
    const tolerance = nonNegativeNumber('eval', '--tolerance', values.tolerance);
    if (values.junit !== undefined && gated.length === 0) throw new UsageError('eval: --junit reports the gate: give --fail-if-worse METRIC[,METRIC…] too');
    if (values.rescore !== undefined && !values.sweep) throw new UsageError('eval: --rescore sets the sweep\'s rescoring multiplier: give --sweep too');
    let sweep: SweepSpec | undefined;
    if (values.sweep) {
      const rescore = values.rescore === undefined ? DEFAULT_RESCORE : wholeNumber('eval', '--rescore', values.rescore, 1, MAX_RESCORE);
      try {
        sweep = parseSweep(values.sweep, rescore);
      } catch (error) {
        throw new UsageError(`eval: ${(error as Error).message}`);
      }
    }
    const format = weightsFormat(values.weights, 'eval');
    const prompts: PromptOverrides = { ...(values['query-prompt'] !== undefined ? { query: values['query-prompt'] } : {}), ...(values['document-prompt'] !== undefined ? { document: values['document-prompt'] } : {}) };
    const permutations = wholeNumber('eval', '--permutations', values.permutations, MIN_PERMUTATIONS, MAX_PERMUTATIONS);
    const seed = values.seed === undefined ? undefined : wholeNumber('eval', '--seed', values.seed, 0, MAX_SEED);

    for (const option of ['json', 'markdown', 'junit'] as const) if (values[option] === '') throw new UsageError(`eval: --${option} needs a file name`);

    const inputs: InputPath[] = [];
    for (const location of positionals) inputs.push({ path: location, what: 'the dataset', folder: (await checkPath(location, 'either', 'a data file or a folder of them')).isDirectory() });
    const sources: { kind: 'model' | 'vectors' | 'run' | 'bm25'; value: string; open?: () => Checkpoint }[] = [];
    for (const { kind, value } of given) {
      if (kind === 'bm25') {
        sources.push({ kind, value, open: () => bm25Checkpoint({ name: 'bm25', source: bm25Source(bm25Params!) }, bm25Params!) });
        continue;
      }
      if (value === '') throw new UsageError(`eval: --${kind} is empty: give ${kind === 'model' ? 'a model folder' : 'NAME=PATH'}`);
      if (kind === 'model') {
        await checkModelLocation(value);
        if (!value.startsWith(HUB_PREFIX)) inputs.push({ path: value, what: 'the model folder', folder: true });
        sources.push({ kind, value });
      } else {
        const file = await fileCheckpoint(kind, value);
        inputs.push(...file.inputs);
        sources.push({ kind, value, open: file.open });
      }
    }
    if (values.baseline !== undefined) {
      if (values.baseline === '') throw new UsageError('eval: --baseline is empty: give a report this lab wrote');
      await checkReadableFile(values.baseline, 'a report this lab wrote (JSON)');
      inputs.push({ path: values.baseline, what: 'the --baseline report' });
    }
    if (values['cache-dir'] !== undefined && !values['no-cache']) await checkCacheFolder(values['cache-dir']);
    const runsFolder = values.runs === undefined ? null : await checkRunsFolder(values.runs, inputs);
    const outputs: Partial<Record<'json' | 'markdown' | 'junit', OutputTarget>> = {};
    for (const option of ['json', 'markdown', 'junit'] as const) {
      if (values[option] === undefined) continue;
      outputs[option] = await checkOutputPath(`--${option}`, values[option], { command: 'eval', inputs, others: Object.values(outputs) });
    }

    const baseline = values.baseline ? await readBaseline(values.baseline, values['baseline-model']) : null;
    if (baseline && values.trec && baseline.report.mode !== 'trec') {
      throw new UsageError(`eval: ${values.baseline} was scored in ${baseline.report.mode} mode: drop --trec, or evaluate the baseline again with it`);
    }
    // A baseline fixes what can be compared with it: its mode and, unless chosen, its metrics.
    const mode: EvaluationMode = values.trec || baseline?.report.mode === 'trec' ? 'trec' : 'sentence-transformers';
    const chosenMetrics = order.some((o) => o.name === 'k' || o.name === 'metrics');
    const metricKeys = listedMetrics ?? (baseline && !chosenMetrics ? [...baseline.report.metricKeys] : defaultMetricKeys(ks, mode));
    for (const key of metricKeys) checkMetricKey(key);
    if (baseline) {
      const missing = metricKeys.filter((key) => !baseline.model.perQuery[parseMetricKey(key).key]);
      if (missing.length) {
        throw new UsageError(`eval: ${values.baseline} has no per-query values for ${missing.join(', ')}; it has ${Object.keys(baseline.model.perQuery).join(', ')}`);
      }
    }
    for (const metric of gated) if (!metricKeys.includes(metric)) throw new UsageError(`eval: --fail-if-worse ${metric} is not among the metrics (${metricKeys.join(', ')})`);

    const loaded = await readInputs(positionals, { split: values.split, labelColumn: values['label-column'] });
    if (values['label-column'] && !loaded.mapping && loaded.dataset) {
      throw new UsageError(`eval: --label-column applies to a pairs or triplets file; ${loaded.dataset.format} takes labels from its corpus`);
    }
    const dataset = requireDataset(loaded, positionals);
    for (const warning of dataset.warnings) process.stderr.write(`warning: ${terminalSafe(`${formatLocation(warning)}${warning.message}`)}\n`);
    const store = values['no-cache'] ? null : diskEmbeddingStore(values['cache-dir'] ?? defaultCacheDir());

    const checkpoints: Checkpoint[] = sources.map(({ kind, value, open }) => (kind === 'model' ? modelCheckpoint(value, store, { format, prompts }) : open!()));
    if (baseline) checkpoints.unshift(reportCheckpoint({ source: values.baseline! }, baseline.report, baseline.model));
    // Hybrids last: they fuse checkpoints given before them, by the names the report shows.
    for (const spec of fusions) checkpoints.push(fusionCheckpoint({ ...spec, ...(fuseDepth ? { depth: fuseDepth } : {}) }));
    // Weight variants of each model folder, right after it: encoded once each (cached by their own fingerprint).
    if (sweep?.weights.length) {
      for (const original of checkpoints.filter((c) => c.kind === 'vectors' && !c.imported)) {
        const variants = sweep.weights.map((weights) => {
          const variant = modelCheckpoint(original.source, store, { format, prompts, variant: weights as ModelVariant }) as VectorCheckpoint;
          variant.name = `${original.name} · ${weights === 'quantized' ? 'int8' : weights} weights`;
          return { variant, weights };
        });
        checkpoints.splice(checkpoints.indexOf(original) + 1, 0, ...variants.map((v) => v.variant));
        for (const { variant, weights } of variants) variant.weightsVariant = { of: checkpoints.indexOf(original), weights };
      }
    }

    // Similarity and top-k on onnxruntime's matrix multiply, every core (the JavaScript twin: one).
    const runtime = await cliRuntime();
    if (!runtime.native) process.stderr.write(`note: ${runtime.reason}\n`);
    const topK = await OrtTopK.create(runtime.ort, runtime.sessionOptions);
    let comparison;
    try {
      comparison = await compareCheckpoints(dataset, checkpoints, {
        metricKeys,
        mode,
        stats: { permutations, seed },
        diagnostics: values['no-diagnostics'] ? false : { seed },
        ...(sweep ? { sweep } : {}),
        kernels: cpuKernelsWith(topK.run),
        onProgress: progressPrinter(process.stderr),
      });
    } finally {
      await topK.release();
    }
    const { report } = comparison;
    report.kernels = { backend: 'cpu', reason: `the CLI ranks on ${runtime.name} (Gemm + TopK); Node has no WebGPU`, calibration: null };
    for (const model of report.models) for (const note of model.notes) process.stderr.write(`${terminalSafe(`${model.name}: ${note}`)}\n`);
    // Terminal-safe inside (before colour is added); colour only on a terminal that takes it.
    process.stdout.write(`${formatReportTable(report, { colour: wantsColour(process.stdout) })}\n`);
    if (report.sweep) process.stdout.write(`\n${terminalSafe(formatSweepTable(report))}\n`);
    const verdicts = gated.length ? gateVerdicts(report, { metrics: gated, tolerance }) : [];
    // One line per verdict on stdout, after the table: what a CI log shows at a glance.
    for (const verdict of verdicts) process.stdout.write(`${terminalSafe(verdict.line)}\n`);
    // A report that cannot be written is exit 2 naming it, whatever the gate said: the job did not get it.
    if (outputs.json) await writeOutput('eval', outputs.json, reportJson(report));
    if (outputs.markdown) await writeOutput('eval', outputs.markdown, renderMarkdown(report, reportExamples(report, dataset), verdicts));
    if (outputs.junit) await writeOutput('eval', outputs.junit, gateJunit(report, verdicts, { perQuery: values['junit-queries'] }));
    if (runsFolder) await writeRuns(runsFolder, exportFiles(comparison, 'trec'));
    return verdicts.some((v) => v.failed) ? 1 : 0;
  },
});

/** The randomization test's bounds: core needs 10 000; 10 million is a p-value resolution of 1e-7, in bounded time. */
const MIN_PERMUTATIONS = 10_000;
const MAX_PERMUTATIONS = 10_000_000;
/** Seeds are 32-bit (mulberry32). */
const MAX_SEED = 2 ** 32 - 1;
/** The sweep's rescoring multiplier: top k × m candidates are rescored. */
const MAX_RESCORE = 1000;

function checkMetricKey(key: string): void {
  try {
    parseMetricKey(key);
  } catch (error) {
    throw new UsageError(`eval: ${(error as Error).message}`);
  }
}

/** `--cache-dir`: a folder, or a path where one can be made; a file or a pipe there is named now. */
async function checkCacheFolder(folder: string): Promise<void> {
  const problem = await pathProblem(folder, 'folder', 'a folder for the embedding cache');
  if (problem && !problem.missing) throw new UsageError(`eval: --cache-dir ${folder}: ${problem.message}`);
}

interface ModelOptions {
  format: WeightsFormat;
  prompts: PromptOverrides;
  variant?: ModelVariant;
}

/** A model folder encoded here with the CLI's onnxruntime, one model in memory at a time. */
function modelCheckpoint(modelPath: string, store: EmbeddingStore | null, { format, prompts: overrides, variant = 'fp32' }: ModelOptions): Checkpoint {
  return encoderCheckpoint({ name: cliModelName(modelPath), source: modelPath }, async () => {
    const encoder = await loadNodeEncoder(modelPath, { variant, format });
    const prompts = resolvedPrompts(encoder.folder.spec, overrides);
    return {
      fingerprint: await modelFingerprint(encoder.folder),
      backend: encoder.backend,
      backendChoice: { reason: encoder.backendReason, calibration: null },
      notes: encoder.folder.spec.notes,
      model: await modelRunInfo(encoder.folder, prompts),
      encode: (texts, onProgress, signal, role) =>
        encoder.encode(texts, { onProgress: ({ done, tokens }) => onProgress(done, tokens), signal, ...(role ? { role, prompt: prompts[role] } : {}) }),
      release: () => encoder.release(),
    };
  }, store);
}

/** `--baseline REPORT.json`: the report and the model in it to compare against. */
async function readBaseline(file: string, modelName: string | undefined): Promise<{ report: EvalReport; model: ModelReport }> {
  const text = new TextDecoder().decode(await readRegularFile(file, 'a report this lab wrote (JSON)'));
  const report = parseStoredReport(text, file);
  return { report, model: pickStoredModel(report, file, modelName) };
}

/**
 * `--vectors NAME=PATH` or `--run NAME=PATH`, checked now — the files exist and are regular files, a folder's
 * files listed (symbolic links followed, as `inspect` follows them) — and read when the comparison reaches
 * them. `inputs` are the paths no output may replace.
 */
async function fileCheckpoint(kind: 'vectors' | 'run', spec: string): Promise<{ inputs: InputPath[]; open: () => Checkpoint }> {
  const match = /^([^=]+)=(.+)$/.exec(spec);
  if (!match) throw new UsageError(`eval: --${kind} takes NAME=PATH, got "${spec}"`);
  const [, name, location] = match;
  const what = kind === 'run' ? 'a run file (TREC or qid docid score)' : 'a vector file (.npy, .ids.txt/.json, Arrow/Feather, parquet)';
  const read = async (file: string, range?: { offset: number; length: number }) => {
    if (!range) return readRegularFile(file, what);
    // Vector files are streamed a range at a time into the arrays the kernels use.
    const { handle, info } = (await openRegularFile(file, what))!;
    try {
      const { start, end } = byteRange(info.size, range);
      const bytes = new Uint8Array(end - start);
      let got = 0;
      while (got < bytes.length) {
        const { bytesRead } = await handle.read(bytes, got, bytes.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return bytes.subarray(0, got);
    } catch (error) {
      throw new DataError({ file, message: `cannot be read (${reason(error as NodeJS.ErrnoException)})` });
    } finally {
      await handle.close();
    }
  };
  if (kind === 'run') {
    await checkReadableFile(location, what);
    return { inputs: [{ path: location, what: `the --run ${name} file` }], open: () => runFileCheckpoint({ name, source: location }, () => read(location)) };
  }
  const parts = location.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new UsageError(`eval: --vectors ${spec}: an empty path in the list: give NAME=FOLDER or NAME=DOCS.npy,QUERIES.npy`);
  if (parts.length === 1 && (await checkPath(location, 'either', `a folder of ${what.slice(2)}s or a vector file`)).isDirectory()) {
    // Paths relative to the folder, subfolders included (Spark writes documents/part-*.parquet).
    const relative = (await listFolder(location, 'a vector file or a folder of them')).map((file) => path.relative(location, file));
    return {
      inputs: [{ path: location, what: `the --vectors ${name} folder`, folder: true }],
      open: () => vectorFileCheckpoint({ name, source: location }, relative, (file, range) => read(path.join(location, file), range)),
    };
  }
  for (const part of parts) await checkReadableFile(part, what);
  return { inputs: parts.map((part) => ({ path: part, what: `a --vectors ${name} file` })), open: () => vectorFileCheckpoint({ name, source: location }, parts, read) };
}

/** `--bm25-method`, `--bm25-k1`, `--bm25-b`, checked before anything is read. */
function bm25Parameters(values: { 'bm25-method': string; 'bm25-k1': string; 'bm25-b': string }): Partial<Bm25Parameters> {
  const method = values['bm25-method'];
  if (!(BM25_METHODS as readonly string[]).includes(method)) throw new UsageError(`eval: --bm25-method must be one of ${BM25_METHODS.join(', ')}, got "${method}"`);
  const k1 = nonNegativeNumber('eval', '--bm25-k1', values['bm25-k1']);
  const b = nonNegativeNumber('eval', '--bm25-b', values['bm25-b']);
  if (b > 1) throw new UsageError(`eval: --bm25-b must be between 0 and 1, got ${b}`);
  return { method: method as Bm25Method, k1, b };
}

/** `--runs DIR`: an existing folder, or one to make in an existing folder; never an input. */
async function checkRunsFolder(folder: string, inputs: readonly InputPath[]): Promise<string> {
  const info = await stat(folder).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`eval: --runs ${folder}: is not a folder: give a folder for the run files`);
  const parent = info ? folder : path.dirname(path.resolve(folder));
  const parentInfo = await stat(parent).catch(() => null);
  if (!parentInfo?.isDirectory()) throw new UsageError(`eval: --runs ${folder}: the folder ${parent} does not exist`);
  const real = path.resolve(folder);
  for (const input of inputs) {
    if (input.folder && path.resolve(input.path) === real) throw new UsageError(`eval: --runs ${folder}: is ${input.what}, which this run reads: write the runs elsewhere`);
  }
  return folder;
}

/** One TREC run file per checkpoint, each written whole (temporary file, then rename). */
async function writeRuns(folder: string, files: readonly ExportFile[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const file of files) {
    const target = await checkOutputPath('--runs', path.join(folder, file.name), { command: 'eval' });
    await writeOutput('eval', target, 'text' in file ? file.text : file.bytes);
  }
  process.stderr.write(`runs: ${files.length} TREC run files in ${folder}\n`);
}
