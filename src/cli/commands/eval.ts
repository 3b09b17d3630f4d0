import { OrtTopK } from '../../core/kernels/topk/topk.ort.ts';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError, formatLocation } from '../../core/data/dataset.ts';
import { encoderCheckpoint, type Checkpoint, type VectorCheckpoint } from '../../core/eval/checkpoint.ts';
import type { ModelVariant } from '../../core/model/modelSpec.ts';
import type { WeightsFormat } from '../../core/model/modelFolder.ts';
import { modelRunInfo, resolvedPrompts, type PromptOverrides } from '../../core/eval/modelRunInfo.ts';
import { compareCheckpoints, cpuKernelsWith } from '../../core/eval/compare.ts';
import { progressPrinter } from '../progressPrinter.ts';
import { modelFingerprint, type EmbeddingStore } from '../../core/eval/embeddingCache.ts';
import { parseStoredReport, pickStoredModel, reportCheckpoint } from '../../core/eval/reportCheckpoint.ts';
import { runFileCheckpoint } from '../../core/eval/runCheckpoint.ts';
import { vectorFileCheckpoint } from '../../core/eval/vectorFileCheckpoint.ts';
import { fusionCheckpoint } from '../../core/eval/fusion/fusionCheckpoint.ts';
import { exportFiles, type ExportFile } from '../../core/view/exportFiles.ts';
import { bm25Checkpoint, bm25Source } from '../../core/eval/bm25Checkpoint.ts';
import { byteRange } from '../../core/data/vectorFiles/readFile.ts';
import type { EvaluationMode } from '../../core/data/rankings.ts';
import { defaultMetricKeys, parseMetricKey } from '../../core/metrics/registry.ts';
import { reportExamples } from '../../core/report/examples.ts';
import { reportJson, type EvalReport, type ModelReport } from '../../core/report/evalReport.ts';
import { gateVerdicts } from '../../core/report/gate.ts';
import { gateJunit } from '../../core/report/junit.ts';
import { renderMarkdown } from '../../core/report/markdown.ts';
import { UsageError } from '../cliError.ts';
import { defineCommand } from '../command.ts';
import { checkMetricKey, EVAL_OPTIONS, planEval, type PlannedCheckpoint } from './evalPlan.ts';
import { defaultCacheDir, diskEmbeddingStore } from '../diskEmbeddingStore.ts';
import { checkModelLocation, cliModelName, HUB_PREFIX } from '../cliModelSource.ts';
import { checkPath, checkReadableFile, listFolder, openRegularFile, pathProblem, readRegularFile, reason } from '../inputPath.ts';
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
  options: EVAL_OPTIONS,
  async run(values, positionals, order) {
    // Every number and list first (the plan), then every path (cheap: stats, folder listings), then the
    // outputs: nothing is read or encoded before all of it holds.
    const plan = planEval(values, positionals, order);
    const { gate, prompts, stats } = plan;
    const format = plan.weights;

    const inputs: InputPath[] = [];
    for (const location of plan.data) inputs.push({ path: location, what: 'the dataset', folder: (await checkPath(location, 'either', 'a data file or a folder of them')).isDirectory() });
    const sources: { planned: PlannedCheckpoint; open?: () => Checkpoint }[] = [];
    for (const planned of plan.checkpoints) {
      if (planned.kind === 'bm25') {
        const { parameters } = planned;
        sources.push({ planned, open: () => bm25Checkpoint({ name: 'bm25', source: bm25Source(parameters) }, parameters) });
      } else if (planned.kind === 'model') {
        await checkModelLocation(planned.location);
        if (!planned.location.startsWith(HUB_PREFIX)) inputs.push({ path: planned.location, what: 'the model folder', folder: true });
        sources.push({ planned });
      } else {
        const file = await fileCheckpoint(planned.kind, planned.spec);
        inputs.push(...file.inputs);
        sources.push({ planned, open: file.open });
      }
    }
    if (plan.baseline) {
      await checkReadableFile(plan.baseline.file, 'a report this lab wrote (JSON)');
      inputs.push({ path: plan.baseline.file, what: 'the --baseline report' });
    }
    if (plan.cacheDir !== undefined && plan.cacheDir !== null) await checkCacheFolder(plan.cacheDir);
    const runsFolder = plan.outputs.runs === undefined ? null : await checkRunsFolder(plan.outputs.runs, inputs);
    const outputs: Partial<Record<'json' | 'markdown' | 'junit', OutputTarget>> = {};
    for (const option of ['json', 'markdown', 'junit'] as const) {
      const file = plan.outputs[option];
      if (file === undefined) continue;
      outputs[option] = await checkOutputPath(`--${option}`, file, { command: 'eval', inputs, others: Object.values(outputs) });
    }

    const baseline = plan.baseline ? await readBaseline(plan.baseline.file, plan.baseline.model) : null;
    if (baseline && plan.trec && baseline.report.mode !== 'trec') {
      throw new UsageError(`eval: ${plan.baseline!.file} was scored in ${baseline.report.mode} mode: drop --trec, or evaluate the baseline again with it`);
    }
    // A baseline fixes what can be compared with it: its mode and, unless chosen, its metrics.
    const mode: EvaluationMode = plan.trec || baseline?.report.mode === 'trec' ? 'trec' : 'sentence-transformers';
    const metricKeys = plan.metrics.listed ?? (baseline && !plan.metrics.chosen ? [...baseline.report.metricKeys] : defaultMetricKeys(plan.metrics.ks, mode));
    for (const key of metricKeys) checkMetricKey(key);
    if (baseline) {
      const missing = metricKeys.filter((key) => !baseline.model.perQuery[parseMetricKey(key).key]);
      if (missing.length) {
        throw new UsageError(`eval: ${plan.baseline!.file} has no per-query values for ${missing.join(', ')}; it has ${Object.keys(baseline.model.perQuery).join(', ')}`);
      }
    }
    for (const metric of gate.metrics) if (!metricKeys.includes(metric)) throw new UsageError(`eval: --fail-if-worse ${metric} is not among the metrics (${metricKeys.join(', ')})`);

    const loaded = await readInputs(plan.data, { split: plan.split, labelColumn: plan.labelColumn });
    if (plan.labelColumn && !loaded.mapping && loaded.dataset) {
      throw new UsageError(`eval: --label-column applies to a pairs or triplets file; ${loaded.dataset.format} takes labels from its corpus`);
    }
    const dataset = requireDataset(loaded, plan.data);
    for (const warning of dataset.warnings) process.stderr.write(`warning: ${terminalSafe(`${formatLocation(warning)}${warning.message}`)}\n`);
    const store = plan.cacheDir === null ? null : diskEmbeddingStore(plan.cacheDir ?? defaultCacheDir());

    const checkpoints: Checkpoint[] = sources.map(({ planned, open }) => (planned.kind === 'model' ? modelCheckpoint(planned.location, store, { format, prompts }) : open!()));
    if (baseline) checkpoints.unshift(reportCheckpoint({ source: plan.baseline!.file }, baseline.report, baseline.model));
    // Hybrids last: they fuse checkpoints given before them, by the names the report shows.
    for (const spec of plan.fusions) checkpoints.push(fusionCheckpoint({ ...spec, ...(plan.fuseDepth ? { depth: plan.fuseDepth } : {}) }));
    // Similarity and top-k on onnxruntime's matrix multiply, every core (the JavaScript twin: one).
    const runtime = await cliRuntime();
    if (!runtime.native) process.stderr.write(`note: ${runtime.reason}\n`);
    const topK = await OrtTopK.create(runtime.ort, runtime.sessionOptions);
    let comparison;
    try {
      comparison = await compareCheckpoints(dataset, checkpoints, {
        metricKeys,
        mode,
        stats,
        diagnostics: plan.diagnostics ? { seed: stats.seed } : false,
        ...(plan.sweep ? { sweep: plan.sweep } : {}),
        kernels: cpuKernelsWith(topK.run),
        rankedOn: { backend: 'cpu', reason: `the CLI ranks on ${runtime.name} (Gemm + TopK); Node has no WebGPU`, calibration: null },
        onProgress: progressPrinter(process.stderr),
      });
    } finally {
      await topK.release();
    }
    const { report } = comparison;
    for (const model of report.models) for (const note of model.notes) process.stderr.write(`${terminalSafe(`${model.name}: ${note}`)}\n`);
    // Terminal-safe inside (before colour is added); colour only on a terminal that takes it.
    process.stdout.write(`${formatReportTable(report, { colour: wantsColour(process.stdout) })}\n`);
    if (report.sweep) process.stdout.write(`\n${terminalSafe(formatSweepTable(report))}\n`);
    const verdicts = gate.metrics.length ? gateVerdicts(report, { metrics: gate.metrics, tolerance: gate.tolerance }) : [];
    // One line per verdict on stdout, after the table: what a CI log shows at a glance.
    for (const verdict of verdicts) process.stdout.write(`${terminalSafe(verdict.line)}\n`);
    // A report that cannot be written is exit 2 naming it, whatever the gate said: the job did not get it.
    if (outputs.json) await writeOutput('eval', outputs.json, reportJson(report));
    if (outputs.markdown) await writeOutput('eval', outputs.markdown, renderMarkdown(report, reportExamples(report, dataset), verdicts));
    if (outputs.junit) await writeOutput('eval', outputs.junit, gateJunit(report, verdicts, { perQuery: gate.junitQueries }));
    if (runsFolder) await writeRuns(runsFolder, exportFiles(comparison, 'trec'));
    return verdicts.some((v) => v.failed) ? 1 : 0;
  },
});

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
function modelCheckpoint(modelPath: string, store: EmbeddingStore | null, options: ModelOptions): VectorCheckpoint {
  const { format, prompts: overrides, variant = 'fp32' } = options;
  const checkpoint = encoderCheckpoint({ name: cliModelName(modelPath), source: modelPath }, async () => {
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
  // The sweep's weight variants: the same folder loaded with those weights (int8 made here when it has none).
  return { ...checkpoint, withWeights: (weights) => modelCheckpoint(modelPath, store, { ...options, variant: weights }) };
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
async function fileCheckpoint(kind: 'vectors' | 'ranking', spec: string): Promise<{ inputs: InputPath[]; open: () => Checkpoint }> {
  const match = /^([^=]+)=(.+)$/.exec(spec);
  // A ranking is given as --run (trec_eval's word for a ranked list); the flag stays.
  if (!match) throw new UsageError(`eval: --${kind === 'ranking' ? 'run' : 'vectors'} takes NAME=PATH, got "${spec}"`);
  const [, name, location] = match;
  const what = kind === 'ranking' ? 'a run file (TREC or qid docid score)' : 'a vector file (.npy, .ids.txt/.json, Arrow/Feather, parquet)';
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
  if (kind === 'ranking') {
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
