import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeWithCache, modelFingerprint } from '../../core/eval/embeddingCache.ts';
import { diagnoseDataset, hasDiagnosticsData } from '../../core/eval/datasetDiagnostics.ts';
import { evaluateRetrieval } from '../../core/eval/retrieval.ts';
import { cpuDiagnosticKernels } from '../../core/diagnostics/kernels.ts';
import type { EvaluationMode } from '../../core/metrics/judgedRun.ts';
import { defaultMetricKeys, parseMetricKey } from '../../core/metrics/registry.ts';
import { buildEvalReport, isSignificant, type ModelRun } from '../../core/report/evalReport.ts';
import { renderMarkdown } from '../../core/report/markdown.ts';
import { UsageError } from '../cliError.ts';
import { defineCommand } from '../command.ts';
import { defaultCacheDir, diskEmbeddingStore } from '../diskEmbeddingStore.ts';
import { loadNodeEncoder } from '../nodeEncoder.ts';
import { formatReportTable } from '../printReport.ts';
import { readInputs, requireDataset } from '../readDataset.ts';
import { formatLocation } from '../../core/data/dataset.ts';

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'Rank a dataset with two or more checkpoints and compare them: metrics, deltas, CI, p-values.',
  usage: 'eval <data…> --model <A> --model <B> [--model …] [options]',
  options: {
    model: { type: 'string', multiple: true },
    k: { type: 'string', default: '1,3,5,10' },
    metrics: { type: 'string' },
    trec: { type: 'boolean', default: false },
    split: { type: 'string', default: 'test' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    'fail-if-worse': { type: 'string' },
    'cache-dir': { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    seed: { type: 'string' },
    permutations: { type: 'string', default: '10000' },
    'label-column': { type: 'string' },
    'no-diagnostics': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  help: {
    model: 'a model folder; give two or more (the first is the baseline A)',
    k: 'cutoffs for accuracy/precision/recall (NDCG at those ≥ 5, MRR at the largest, MAP@100)',
    metrics: 'explicit metric list instead, e.g. ndcg@10,recall@100,mrr@10',
    trec: 'trec_eval semantics: graded NDCG, AP ÷ |R|, reciprocal rank without cutoff, ties by doc id desc',
    split: 'qrels split of a BEIR folder',
    json: 'write the full report (per-query values, top results, comparisons) as JSON to this file',
    markdown: 'write a Markdown report to this file',
    'fail-if-worse': 'exit 1 when a later model is significantly worse than A on this metric (Holm p < 0.05)',
    'cache-dir': `embedding cache folder (default ${defaultCacheDir()})`,
    'no-cache': 'encode everything, read and write no cache',
    seed: 'seed of the permutation test and bootstrap',
    permutations: 'randomization-test permutations (≥ 10000)',
    'label-column': 'the column holding labels/domains (pairs and triplets files), for diagnostics and slices',
    'no-diagnostics': 'skip the cluster and embedding diagnostics (computed when the data has labels or triplets)',
    help: 'show this help',
  },
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError('eval: give the data to evaluate, e.g. embedlab eval ./scifact --model A --model B');
    const modelPaths = values.model ?? [];
    if (modelPaths.length < 2) throw new UsageError('eval: give at least two --model folders to compare');
    const mode: EvaluationMode = values.trec ? 'trec' : 'sentence-transformers';
    const ks = values.k.split(',').map((s) => Number(s.trim()));
    if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new UsageError(`eval: --k must list positive integers, got "${values.k}"`);
    const metricKeys = values.metrics ? values.metrics.split(',').map((s) => s.trim()) : defaultMetricKeys(ks, mode);
    for (const key of metricKeys) {
      try {
        parseMetricKey(key);
      } catch (error) {
        throw new UsageError(`eval: ${(error as Error).message}`);
      }
    }
    const failMetric = values['fail-if-worse'];
    if (failMetric && !metricKeys.includes(failMetric)) throw new UsageError(`eval: --fail-if-worse ${failMetric} is not among the metrics (${metricKeys.join(', ')})`);
    const permutations = Number(values.permutations);
    const seed = values.seed === undefined ? undefined : Number(values.seed);

    const loaded = await readInputs(positionals, { split: values.split, labelColumn: values['label-column'] });
    if (values['label-column'] && !loaded.mapping && loaded.dataset) {
      throw new UsageError(`eval: --label-column applies to a pairs or triplets file; ${loaded.dataset.format} takes labels from its corpus`);
    }
    const dataset = requireDataset(loaded, positionals);
    const diagnose = !values['no-diagnostics'] && hasDiagnosticsData(dataset);
    for (const warning of dataset.warnings) process.stderr.write(`warning: ${formatLocation(warning)}${warning.message}\n`);
    const store = values['no-cache'] ? null : diskEmbeddingStore(values['cache-dir'] ?? defaultCacheDir());

    const runs: ModelRun[] = [];
    for (const modelPath of modelPaths) {
      const encoder = await loadNodeEncoder(modelPath);
      try {
        const fingerprint = await modelFingerprint(encoder.folder);
        const embed = async (label: string, texts: readonly string[]) => {
          const started = Date.now();
          let shown = 0;
          const result = await encodeWithCache(texts, fingerprint, store, (missing) =>
            encoder.encode(missing, {
              onProgress: ({ done, total }) => {
                if (process.stderr.isTTY && done - shown >= 64) {
                  shown = done;
                  process.stderr.write(`\r${path.basename(modelPath)}: ${label} ${done}/${total}`);
                }
              },
            }),
          );
          if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
          const seconds = (Date.now() - started) / 1000;
          process.stderr.write(
            `${path.basename(modelPath)}: ${label}: ${result.encoded} encoded, ${texts.length - result.encoded} from cache (${seconds.toFixed(1)} s)\n`,
          );
          return result;
        };
        const docs = await embed('documents', dataset.documents.texts);
        const queries = await embed('queries', dataset.queries.texts);
        const embeddings = { queries: queries.vectors, documents: docs.vectors, dim: docs.dim };
        const result = await evaluateRetrieval(dataset, embeddings, { metricKeys, mode });
        let diagnostics;
        if (diagnose) {
          const started = Date.now();
          diagnostics = await diagnoseDataset(dataset, embeddings, result, cpuDiagnosticKernels, { seed });
          process.stderr.write(`${path.basename(modelPath)}: diagnostics (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        }
        runs.push({ name: path.basename(path.resolve(modelPath)), path: modelPath, backend: encoder.backend, dim: docs.dim, result, notes: encoder.folder.spec.notes, diagnostics });
      } finally {
        await encoder.release();
      }
    }
    disambiguateNames(runs);

    const report = buildEvalReport(dataset, runs, metricKeys, mode, { permutations, seed });
    process.stdout.write(`${formatReportTable(report)}\n`);
    if (values.json) await writeFile(values.json, JSON.stringify(report));
    if (values.markdown) await writeFile(values.markdown, renderMarkdown(report));

    if (failMetric) {
      const worse = report.comparisons.filter((c) => c.a === report.models[0].name && c.metrics[failMetric].delta < 0 && isSignificant(c.metrics[failMetric]));
      for (const c of worse) {
        const s = c.metrics[failMetric];
        process.stderr.write(`embedlab: ${c.b} is significantly worse than ${c.a} on ${failMetric}: Δ ${s.delta.toFixed(4)}, p(Holm) ${s.pHolm.toPrecision(2)}\n`);
      }
      if (worse.length) return 1;
    }
    return 0;
  },
});

/** Two folders with the same base name (epoch-1/model, epoch-2/model) get their paths as names instead. */
function disambiguateNames(runs: ModelRun[]): void {
  const names = runs.map((r) => r.name);
  runs.forEach((run) => {
    if (names.filter((n) => n === run.name).length > 1) run.name = run.path;
  });
}
