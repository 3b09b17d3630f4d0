/**
 * The evaluation, run in the data worker where the dataset lives: embeddings come from the encoder worker
 * over a direct MessagePort (never through the page), then ranking, metrics, statistics and diagnostics run
 * here on the WGSL kernels or their CPU twins. The page receives the report and what it draws, never the
 * corpus or the vectors.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { Dataset } from '../core/data/dataset.ts';
import type { DiagnosticKernels } from '../core/diagnostics/kernels.ts';
import { cpuDiagnosticKernels } from '../core/diagnostics/kernels.ts';
import { gpuDiagnosticKernels } from '../core/diagnostics/gpuKernels.ts';
import { diagnoseDataset } from '../core/eval/datasetDiagnostics.ts';
import { encodeWithCache } from '../core/eval/embeddingCache.ts';
import { evaluateRetrieval, type DatasetEmbeddings, type RetrievalResult } from '../core/eval/retrieval.ts';
import type { GpuTopKKernel } from '../core/kernels/cosineTopK.ts';
import { requestGpuDevice, type GpuContext } from '../core/kernels/gpuDevice.ts';
import { GpuTopK } from '../core/kernels/topk/topk.ts';
import { judgeRun, type EvaluationMode } from '../core/metrics/judgedRun.ts';
import { defaultMetricKeys, evaluateJudged, type MetricName } from '../core/metrics/registry.ts';
import type { ModelDiagnostics } from '../core/diagnostics/modelDiagnostics.ts';
import { buildEvalReport, headlineMetric, type EvalReport } from '../core/report/evalReport.ts';
import { perQueryCsv, trecRun } from '../core/report/exports.ts';
import { findings } from '../core/report/findings.ts';
import { renderMarkdown, type QueryExample } from '../core/report/markdown.ts';
import { metricCurves } from '../core/report/metricCurves.ts';
import { diffTopK, rankQuery, type Movement } from '../core/report/queryDiff.ts';
import { sliceByLabel, type Slice } from '../core/report/slices.ts';
import { normalizeRows } from '../core/kernels/pooling/pooling.cpu.ts';
import type { EncoderApi } from './api.ts';
import { IndexedDbEmbeddingStore, type CacheSize } from './indexedDbEmbeddingStore.ts';

export type KernelChoice = 'auto' | 'webgpu' | 'cpu';

export interface RunRequest {
  /** Encoder slots to compare, the first is the baseline. */
  slots: string[];
  mode: EvaluationMode;
  kernels: KernelChoice;
  /** Cutoffs of the metric table. */
  ks?: number[];
  useCache?: boolean;
}

export type RunStage = 'documents' | 'queries' | 'rank' | 'metrics' | 'diagnostics' | 'report';

export interface RunProgress {
  /** The slot the stage works for; null for stages over all models. */
  slot: string | null;
  stage: RunStage;
  done: number;
  total: number;
  /** Texts taken from the cache (encode stages). */
  cached?: number;
  textsPerSecond?: number;
  etaSeconds?: number;
}

export interface ModelRunInfo {
  slot: string;
  name: string;
  backend: string;
  encoded: number;
  cached: number;
  encodeSeconds: number;
  notes: string[];
}

/** Everything the page draws after a run: small enough to clone (no vectors, no corpus). */
export interface LabView {
  report: EvalReport;
  models: ModelRunInfo[];
  /** Per model: each metric at k = 1…100. */
  curves: Record<MetricName, number[]>[];
  slices: Slice[];
  findings: string[];
  /** The evaluated queries, texts cut to 300 characters (the detail view has them whole). */
  queries: { id: string; text: string; label?: string }[];
  kernelBackend: 'webgpu' | 'cpu';
  kernelNote: string | null;
}

export interface QueryDetail {
  query: { id: string; text: string; label?: string };
  relevantCount: number;
  k: number;
  models: {
    name: string;
    top: { docId: string; text: string; rank: number; score: number; relevance: number; movement: Movement }[];
    dropped: { docId: string; text: string; baselineRank: number; rank: number; score: number }[];
    missingRelevant: { docId: string; text: string; rank: number; score: number; relevance: number }[];
  }[];
}

export interface ExportFile {
  name: string;
  mime: string;
  text: string;
}

interface ModelSession {
  slot: string;
  info: ModelRunInfo;
  embeddings: DatasetEmbeddings;
  retrieval: RetrievalResult;
  diagnostics: ModelDiagnostics | null;
}

interface Session {
  dataset: Dataset;
  request: RunRequest;
  metricKeys: string[];
  models: ModelSession[];
  report: EvalReport;
  kernelBackend: 'webgpu' | 'cpu';
  kernelNote: string | null;
}

const TEXT_PREVIEW = 300;
const store = new IndexedDbEmbeddingStore();
let encoder: Remote<EncoderApi> | null = null;
let session: Session | null = null;
let running: { jobId: string; cancelled: boolean } | null = null;
let gpu: Promise<GpuContext | null> | null = null;

function cancelled(): DOMException {
  return new DOMException('run cancelled', 'AbortError');
}

/** The WGSL kernels, made once per GPU device: their buffer pools are reused from run to run. */
let gpuKernels: { context: GpuContext; topK: GpuTopK; diagnostics: DiagnosticKernels } | null = null;

async function kernelsFor(choice: KernelChoice): Promise<{ topK: GpuTopKKernel | null; diagnostics: DiagnosticKernels; note: string | null }> {
  if (choice === 'cpu') return { topK: null, diagnostics: cpuDiagnosticKernels, note: null };
  gpu ??= requestGpuDevice().catch(() => null);
  const context = await gpu;
  if (!context || context.lost) {
    const note = context?.lost ? `the GPU device was lost (${context.lost}); kernels ran on the CPU` : 'no WebGPU adapter in this worker; kernels ran on the CPU';
    if (choice === 'webgpu') throw new Error(note);
    return { topK: null, diagnostics: cpuDiagnosticKernels, note };
  }
  if (gpuKernels?.context !== context) gpuKernels = { context, topK: new GpuTopK(context), diagnostics: gpuDiagnosticKernels(context) };
  return { topK: gpuKernels.topK, diagnostics: gpuKernels.diagnostics, note: null };
}

function retrievalFor(dataset: Dataset, previous: RetrievalResult, metricKeys: string[], mode: EvaluationMode): RetrievalResult {
  return { ...previous, ...evaluateJudged(judgeRun(previous.run, dataset.qrels, mode), metricKeys) };
}

function assemble(s: Session): LabView {
  const { dataset } = s;
  const report = buildEvalReport(
    dataset,
    s.models.map((m) => ({ name: m.info.name, path: m.slot, backend: m.info.backend, dim: m.embeddings.dim, result: m.retrieval, notes: m.info.notes, diagnostics: m.diagnostics ?? undefined })),
    s.metricKeys,
    s.request.mode,
  );
  s.report = report;
  const evaluated = new Set(s.models[0]?.retrieval.queryIds ?? []);
  return {
    report,
    models: s.models.map((m) => m.info),
    curves: s.models.map((m) => metricCurves(judgeRun(m.retrieval.run, dataset.qrels, s.request.mode))),
    slices: sliceByLabel(dataset, report),
    findings: findings(report),
    queries: Array.from(dataset.queries)
      .filter((q) => evaluated.has(q.id))
      .map((q) => ({ id: q.id, text: q.text.length > TEXT_PREVIEW ? `${q.text.slice(0, TEXT_PREVIEW)}…` : q.text, ...(q.label ? { label: q.label } : {}) })),
    kernelBackend: s.kernelBackend,
    kernelNote: s.kernelNote,
  };
}

/** Model names as the report shows them: the model's own, with the slot added where two would clash. */
function displayNames(names: { slot: string; name: string }[]): string[] {
  // Served models are named by their URL (/models/x): the folder name is what people recognise.
  const short = names.map(({ slot, name }) => ({ slot, name: name.split('/').filter(Boolean).pop() ?? name }));
  return short.map(({ slot, name }) => (short.filter((n) => n.name === name).length > 1 ? `${slot}: ${name}` : name));
}

export const evaluationApi = {
  /** Connects to the encoder worker's port (see `EncoderApi.connect`). */
  connectEncoder(port: MessagePort): void {
    encoder = wrap<EncoderApi>(port);
  },

  /** Encodes (through the cache), ranks, scores, compares and diagnoses; progress per stage and model. */
  async run(dataset: Dataset | null, request: RunRequest, onProgress: (progress: RunProgress) => void): Promise<LabView> {
    if (!encoder) throw new Error('the encoder worker is not connected');
    if (!dataset) throw new Error('load a dataset first');
    if (request.slots.length < 2) throw new Error('load at least two checkpoints to compare');
    if (running) throw new Error('a run is already in progress');
    const job = { jobId: `run-${Date.now()}`, cancelled: false };
    running = job;
    try {
      const metricKeys = defaultMetricKeys(request.ks ?? [1, 3, 5, 10], request.mode);
      const kernels = await kernelsFor(request.kernels);
      const identities = await Promise.all(request.slots.map((slot) => encoder!.identify(slot)));
      const names = displayNames(identities.map((id, i) => ({ slot: request.slots[i], name: id.name })));
      const models: ModelSession[] = [];
      for (const [i, slot] of request.slots.entries()) {
        const identity = identities[i];
        const embed = async (stage: 'documents' | 'queries', texts: readonly string[]) => {
          const started = performance.now();
          let cachedCount = 0;
          const result = await encodeWithCache(texts, identity.fingerprint, request.useCache === false ? null : store, async (missing) => {
            cachedCount = texts.length - missing.length;
            await onProgress({ slot, stage, done: cachedCount, total: texts.length, cached: cachedCount });
            const encodeStart = performance.now();
            return encoder!.encode(
              slot,
              missing,
              proxy(async ({ done }: { done: number }) => {
                const seconds = (performance.now() - encodeStart) / 1000;
                const rate = seconds > 0 ? done / seconds : 0;
                await onProgress({ slot, stage, done: cachedCount + done, total: texts.length, cached: cachedCount, textsPerSecond: rate, etaSeconds: rate > 0 ? (missing.length - done) / rate : undefined });
              }),
              job.jobId,
            );
          });
          if (job.cancelled) throw cancelled();
          return { result, seconds: (performance.now() - started) / 1000, cached: texts.length - result.encoded };
        };
        const docs = await embed('documents', dataset.documents.texts);
        const queries = await embed('queries', dataset.queries.texts);
        const embeddings = { documents: docs.result.vectors, queries: queries.result.vectors, dim: docs.result.dim };
        await onProgress({ slot, stage: 'rank', done: 0, total: dataset.queries.length });
        const retrieval = await evaluateRetrieval(dataset, embeddings, { metricKeys, mode: request.mode, gpu: kernels.topK });
        if (job.cancelled) throw cancelled();
        await onProgress({ slot, stage: 'diagnostics', done: 0, total: 1 });
        const diagnostics = await diagnoseDataset(dataset, embeddings, retrieval, kernels.diagnostics);
        if (job.cancelled) throw cancelled();
        models.push({
          slot,
          embeddings,
          retrieval,
          diagnostics,
          info: {
            slot,
            name: names[i],
            backend: identity.backend,
            encoded: docs.result.encoded + queries.result.encoded,
            cached: docs.cached + queries.cached,
            encodeSeconds: docs.seconds + queries.seconds,
            notes: [...retrieval.notes],
          },
        });
      }
      await onProgress({ slot: null, stage: 'report', done: 0, total: 1 });
      const fresh: Session = {
        dataset,
        request,
        metricKeys,
        models,
        report: null as unknown as EvalReport,
        kernelBackend: models.some((m) => m.retrieval.topKBackend === 'webgpu') || kernels.diagnostics.backend === 'webgpu' ? 'webgpu' : 'cpu',
        kernelNote: kernels.note,
      };
      const view = assemble(fresh);
      session = fresh;
      return view;
    } finally {
      running = null;
    }
  },

  /** Stops the run in progress: the encode after its current batch, the rest between stages. */
  async cancelRun(): Promise<boolean> {
    if (!running) return false;
    running.cancelled = true;
    await encoder?.cancel(running.jobId);
    return true;
  },

  /** Re-scores the last run in another mode (TREC / sentence-transformers) without encoding or ranking again. */
  setMode(mode: EvaluationMode): LabView {
    if (!session) throw new Error('nothing has been run yet');
    session.request = { ...session.request, mode };
    session.metricKeys = defaultMetricKeys(session.request.ks ?? [1, 3, 5, 10], mode);
    for (const model of session.models) model.retrieval = retrievalFor(session.dataset, model.retrieval, session.metricKeys, mode);
    return assemble(session);
  },

  /** One query in full: every model's top k beside the baseline's, with movements and missing relevant documents. */
  queryDetail(queryId: string, k = 10, baseline = 0): QueryDetail {
    if (!session) throw new Error('nothing has been run yet');
    const { dataset, models } = session;
    const q = dataset.queries.rowOf(queryId);
    if (q < 0) throw new Error(`no query ${queryId}`);
    const judged = dataset.qrels.get(queryId) ?? new Map<string, number>();
    const relevant = new Set([...judged].filter(([, grade]) => grade > 0).map(([id]) => dataset.documents.rowOf(id)).filter((i) => i >= 0));
    const rankings = models.map(({ embeddings: { queries, documents, dim } }) => {
      const vector = queries.slice(q * dim, (q + 1) * dim);
      return rankQuery(vector, unitDocuments(documents, dim), dim);
    });
    const diffs = diffTopK(rankings, baseline, k, relevant);
    const doc = (index: number) => dataset.documents.record(index);
    return {
      query: dataset.queries.record(q),
      relevantCount: relevant.size,
      k,
      models: diffs.map((diff, m) => ({
        name: models[m].info.name,
        top: diff.top.map((e) => ({ docId: doc(e.doc).id, text: doc(e.doc).text, rank: e.rank, score: e.score, relevance: judged.get(doc(e.doc).id) ?? 0, movement: e.movement })),
        dropped: diff.dropped.map((e) => ({ docId: doc(e.doc).id, text: doc(e.doc).text, baselineRank: e.baselineRank, rank: e.rank, score: e.score })),
        missingRelevant: diff.missingRelevant.map((e) => ({ docId: doc(e.doc).id, text: doc(e.doc).text, rank: e.rank, score: e.score, relevance: judged.get(doc(e.doc).id) ?? 0 })),
      })),
    };
  },

  /** The report as files: Markdown (with per-query examples), JSON (the CLI's schema), per-query CSV, TREC runs. */
  exportFiles(kind: 'markdown' | 'json' | 'csv' | 'trec'): ExportFile[] {
    if (!session) throw new Error('nothing has been run yet');
    const { report, dataset } = session;
    const base = dataset.name.replace(/[^\w.-]+/g, '_');
    if (kind === 'json') return [{ name: `${base}-report.json`, mime: 'application/json', text: JSON.stringify(report, null, 1) }];
    if (kind === 'csv') {
      const queries = new Map(Array.from(dataset.queries, (q) => [q.id, q]));
      return [{ name: `${base}-per-query.csv`, mime: 'text/csv', text: perQueryCsv(report, queries) }];
    }
    if (kind === 'trec') {
      return session.models.map((m) => ({ name: `${base}-${m.info.name.replace(/[^\w.-]+/g, '_')}.run`, mime: 'text/plain', text: trecRun(m.retrieval.run, m.info.name) }));
    }
    return [{ name: `${base}-report.md`, mime: 'text/markdown', text: renderMarkdown(report, reportExamples(session)) }];
  },

  cacheSize(): Promise<CacheSize> {
    return store.size();
  },

  clearCache(): Promise<void> {
    return store.clear();
  },
};

/** L2-normalised copies of the document rows, made once per vectors array. */
const unitCache = new WeakMap<Float32Array, Float32Array>();
function unitDocuments(documents: Float32Array, dim: number): Float32Array {
  let unit = unitCache.get(documents);
  if (!unit) {
    unit = documents.slice();
    normalizeRows(unit, dim);
    unitCache.set(documents, unit);
  }
  return unit;
}

/** The three biggest gains and three biggest losses of the second model on the headline metric, top 3 each. */
function reportExamples(s: Session): QueryExample[] {
  const { report, dataset } = s;
  if (report.models.length < 2) return [];
  const metric = headlineMetric(report.metricKeys);
  const [a, b] = report.models;
  const deltas = Object.keys(a.perQuery[metric]).map((q) => ({ q, delta: b.perQuery[metric][q] - a.perQuery[metric][q] }));
  const sorted = deltas.filter((d) => d.delta !== 0).sort((x, y) => y.delta - x.delta);
  const chosen = [...sorted.slice(0, 3), ...sorted.slice(-3).reverse()].filter((d, i, all) => all.findIndex((e) => e.q === d.q) === i);
  const { queries, documents } = dataset;
  const textOf = (table: typeof documents, id: string) => {
    const row = table.rowOf(id);
    return row >= 0 ? table.text(row) : '';
  };
  return chosen.map(({ q }) => ({
    queryId: q,
    query: textOf(queries, q),
    metric,
    values: report.models.map((m) => m.perQuery[metric][q]),
    top: report.models.map((m) =>
      (m.top[q] ?? []).slice(0, 3).map(([docId, score]) => ({ docId, text: textOf(documents, docId), score, relevant: (dataset.qrels.get(q)?.get(docId) ?? 0) > 0 })),
    ),
  }));
}
