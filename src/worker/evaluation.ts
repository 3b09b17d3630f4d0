/**
 * The comparison, run in the data worker where the dataset lives. What is worker-specific stays here: the
 * port to the encoder worker (embeddings come over it, never through the page), the GPU (`gpuKernels.ts`),
 * cancellation, and the last comparison kept for the page's follow-up questions. The comparison itself is
 * core's `compareCheckpoints`, the same the CLI runs.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { Dataset } from '../core/data/dataset.ts';
import { encoderCheckpoint, type Checkpoint, type OpenedEncoder } from '../core/eval/checkpoint.ts';
import type { WeightVariant } from '../core/eval/weightVariants.ts';
import { parseStoredReport, pickStoredModel, reportCheckpoint } from '../core/eval/reportCheckpoint.ts';
import type { SweepSpec } from '../core/eval/compressionSweep.ts';
import type { EmbeddingStore } from '../core/eval/embeddingCache.ts';
import { runFileCheckpoint } from '../core/eval/runCheckpoint.ts';
import { bm25Checkpoint, bm25Source } from '../core/eval/bm25Checkpoint.ts';
import type { Bm25Parameters } from '../core/lexical/bm25Scoring.ts';
import { fusionCheckpoint, parseFuseSpec } from '../core/eval/fusion/fusionCheckpoint.ts';
import { displayNames } from '../core/eval/displayNames.ts';
import { vectorFileCheckpoint } from '../core/eval/vectorFileCheckpoint.ts';
import { byteRange } from '../core/data/vectorFiles/readFile.ts';
import { compareCheckpoints, rescoreComparison, type Comparison, type ComparisonProgress } from '../core/eval/compare.ts';
import { exportFiles, type ExportFile, type ExportKind } from '../core/view/exportFiles.ts';
import { labView, type LabView } from '../core/view/labView.ts';
import { loadQueryDetail, type QueryDetail } from '../core/view/queryDetail.ts';
import { defaultMetricKeys } from '../core/metrics/registry.ts';
import type { ModelVariant } from '../core/model/modelSpec.ts';
import type { Backend, EncoderApi, LoadOptions } from './api.ts';
import type { ModelLocation } from './modelSources.ts';
import type { BackendRequest, KernelBackend, KernelsChoice } from '../core/backends/backendChoice.ts';
import type { WorkerKernels } from './gpuKernels.ts';
import type { CacheSize, IndexedDbEmbeddingStore } from './indexedDbEmbeddingStore.ts';
import { pacedProgress } from './pacedProgress.ts';
import type { EvaluationMode } from '../core/data/rankings.ts';

export type { ExportFile, ExportKind } from '../core/view/exportFiles.ts';
export type { LabView } from '../core/view/labView.ts';
export type { QueryDetail } from '../core/view/queryDetail.ts';
export type { ComparisonProgress, ComparisonStage } from '../core/eval/compare.ts';

/** What a page slot holds: a model loaded in the encoder worker, or files the user picked. */
export type CheckpointRequest =
  | { slot: string; kind: 'model'; reload?: { location: ModelLocation; backend: BackendRequest<Backend>; options?: LoadOptions } }
  | { slot: string; kind: 'vectors'; name: string; files: { path: string; file: File }[] }
  | { slot: string; kind: 'ranking'; name: string; file: File }
  | { slot: string; kind: 'report'; name: string; file: File; model: string }
  /** BM25 over the dataset's own texts (bm25s's definition); parameters default to lucene, k1 1.5, b 0.75. */
  | { slot: string; kind: 'bm25'; name: string; params?: Partial<Bm25Parameters> }
  /** A hybrid: the rankings of the slots `inputs` (slot letters, earlier in the run) fused by `method` (`rrf`, `combsum`, `wsum`, …). */
  | { slot: string; kind: 'fusion'; name: string; inputs: string[]; method: string };

/** What a stored report holds, for the slot that takes it: its models to choose from, and how it was scored. */
export interface StoredReportSummary {
  dataset: string;
  models: string[];
  mode: EvaluationMode;
  metricKeys: string[];
}

export interface RunRequest {
  /** Checkpoints to compare, in slot order; the first is the baseline. */
  checkpoints: CheckpointRequest[];
  mode: EvaluationMode;
  kernels: BackendRequest<KernelBackend>;
  /** Cutoffs of the metric table. */
  ks?: number[];
  /** A compression sweep over each vector checkpoint. */
  sweep?: SweepSpec;
  useCache?: boolean;
}

/** A run's result as the page receives it: the view, and where the kernels ran and why. */
export interface RunResult {
  view: LabView;
  kernels: KernelsChoice;
}

/** The last comparison, kept for the page's follow-up questions (mode switch, query detail, exports). */
interface LastRun {
  comparison: Comparison;
  request: RunRequest;
  kernels: KernelsChoice;
}

/** A loaded slot as the encoder worker identifies it (fingerprint, name, backend): asked once per slot per run. */
type SlotIdentity = Awaited<ReturnType<EncoderApi['identify']>>;

/** A loaded slot of the encoder worker as a comparison checkpoint: it encodes over the port, cancels by job id. */
function slotEncoder(slot: string, remote: Remote<EncoderApi>, identity: SlotIdentity): OpenedEncoder {
  return {
    fingerprint: identity.fingerprint,
    backend: identity.backendDescription,
    backendChoice: { reason: identity.backendChoice.reason, calibration: identity.backendChoice.calibration },
    notes: identity.notes,
    model: identity.model,
    async encode(texts, onProgress, signal, role) {
      const jobId = `${slot}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const cancel = () => void remote.cancel(jobId);
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        const result = await remote.encode(slot, texts, proxy(({ done, tokens }: { done: number; tokens?: { done: number; total: number } }) => onProgress(done, tokens)), jobId, role);
        return { vectors: result.vectors, count: result.count, dim: result.dim, note: result.fellBackToWasm };
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    },
  };
}

/** A slot's content as a comparison checkpoint. Picked files are read only when the comparison reaches them. */
async function checkpointOf(request: Exclude<CheckpointRequest, { kind: 'fusion' }>, remote: Remote<EncoderApi>, store: EmbeddingStore | null): Promise<Checkpoint> {
  const { slot } = request;
  if (request.kind === 'model') {
    const identity = await remote.identify(slot);
    const checkpoint = encoderCheckpoint({ name: identity.name, source: identity.name, slot }, async () => slotEncoder(slot, remote, identity), store);
    if (!request.reload) return checkpoint;
    const { location, backend, options } = request.reload;
    // The sweep's weight variants (int8, fp16): each loaded into a slot of its own in the encoder worker when
    // the comparison reaches it (made there when the folder has no such export), freed once encoded.
    const withWeights = (weights: WeightVariant) => {
      const variantSlot = `${slot}:${weights}`;
      const open = async () => {
        await remote.loadModel(variantSlot, location, { ...options, backend, variant: weights as ModelVariant });
        const opened = slotEncoder(variantSlot, remote, await remote.identify(variantSlot));
        return { ...opened, release: () => remote.dispose(variantSlot) };
      };
      return encoderCheckpoint({ name: identity.name, source: identity.name, slot }, open, store);
    };
    return { ...checkpoint, withWeights };
  }
  if (request.kind === 'bm25') return bm25Checkpoint({ name: request.name, source: bm25Source(request.params), slot }, request.params);
  return pickedCheckpoint(request);
}

/** Files a slot was given in place of a model: read when the comparison (or {@link Evaluation.checkPicked}) reaches them. */
export type PickedRequest = Extract<CheckpointRequest, { kind: 'vectors' | 'ranking' | 'report' }>;

async function pickedCheckpoint(request: PickedRequest): Promise<Checkpoint> {
  const { slot } = request;
  if (request.kind === 'report') {
    const report = parseStoredReport(await request.file.text(), request.file.name);
    return reportCheckpoint({ source: request.file.name, slot }, report, pickStoredModel(report, request.file.name, request.model));
  }
  if (request.kind === 'ranking') {
    return runFileCheckpoint({ name: request.name, source: request.file.name, slot }, async () => new Uint8Array(await request.file.arrayBuffer()));
  }
  const byPath = new Map(request.files.map((f) => [f.path, f.file]));
  const read = async (path: string, range?: { offset: number; length: number }) => {
    const file = byPath.get(path)!;
    // A range is a slice of the File: vector files are streamed into the arrays the kernels use.
    if (!range) return new Uint8Array(await file.arrayBuffer());
    const { start, end } = byteRange(file.size, range);
    return new Uint8Array(await file.slice(start, end).arrayBuffer());
  };
  return vectorFileCheckpoint({ name: request.name, source: request.name, slot }, [...byPath.keys()], read);
}

/**
 * The slots as checkpoints. A hybrid names its inputs by slot; the comparison knows them by the names the
 * report shows, so those are worked out over the whole run first.
 */
async function checkpointsOf(request: RunRequest, remote: Remote<EncoderApi>, store: EmbeddingStore | null): Promise<Checkpoint[]> {
  const built = await Promise.all(request.checkpoints.map((c) => (c.kind === 'fusion' ? null : checkpointOf(c, remote, store))));
  const names = displayNames(request.checkpoints.map((c, i) => built[i] ?? { name: c.kind === 'fusion' ? c.name : '', source: c.kind === 'fusion' ? c.name : '', slot: c.slot }));
  return request.checkpoints.map((c, i) => {
    if (c.kind !== 'fusion') return built[i]!;
    const inputs = c.inputs.map((slot) => {
      const at = request.checkpoints.findIndex((other) => other.slot === slot);
      if (at < 0) throw new Error(`${c.name}: slot ${slot} is empty; choose the checkpoints to fuse again`);
      return names[at];
    });
    const spec = parseFuseSpec(`${c.name}=${c.method}:${inputs.join(',')}`);
    return fusionCheckpoint({ ...spec, slot: c.slot });
  });
}

function resultOf(state: LastRun): RunResult {
  return { view: labView(state.comparison), kernels: state.kernels };
}

/**
 * The data worker's evaluation and what it keeps between calls: the port to the encoder worker, the run in
 * progress (to cancel it) and the last comparison. One per worker; its kernels and cache are given to it.
 */
export class Evaluation {
  private encoder: Remote<EncoderApi> | null = null;
  private last: LastRun | null = null;
  private running: AbortController | null = null;

  constructor(
    private readonly kernels: WorkerKernels,
    private readonly store: IndexedDbEmbeddingStore,
  ) {}

  /** Reads a stored report a slot was given (here, off the main thread): its models, mode and metrics. */
  async describeReport(file: File): Promise<StoredReportSummary> {
    const report = parseStoredReport(await file.text(), file.name);
    return { dataset: report.dataset.name, models: report.models.map((m) => m.name), mode: report.mode, metricKeys: report.metricKeys };
  }

  /**
   * Reads a slot's picked files against `dataset` as a run would, so that a bad file is refused when it is
   * picked — with the run's (and the CLI's) message — while the slot still holds what it held. Without a
   * dataset only what needs none is read (a stored report's own consistency); the run checks the rest.
   * Returns the dataset checked against, or null. The vectors read are dropped: a run reads them again.
   */
  async checkPicked(dataset: Dataset | null, request: PickedRequest): Promise<string | null> {
    const checkpoint = await pickedCheckpoint(request);
    if (!dataset) return null;
    const context = { onProgress: () => undefined };
    if (checkpoint.kind === 'vectors') await checkpoint.vectors(dataset, context);
    else if (checkpoint.kind === 'ranking') await checkpoint.rankings(dataset, context);
    else if (checkpoint.kind === 'report') await checkpoint.stored(dataset, context);
    return dataset.name;
  }

  /** Connects to the encoder worker's port (see `EncoderApi.connect`). */
  connectEncoder(port: MessagePort): void {
    this.encoder = wrap<EncoderApi>(port);
  }

  /** Compares the slots' models on the dataset; progress per checkpoint and stage. */
  async run(dataset: Dataset | null, request: RunRequest, onProgress: (progress: ComparisonProgress) => void): Promise<RunResult> {
    const remote = this.encoder;
    if (!dataset) throw new Error('load a dataset first');
    if (request.checkpoints.length < 2) throw new Error('load at least two checkpoints to compare');
    if (!remote && request.checkpoints.some((c) => c.kind === 'model')) throw new Error('the encoder worker is not connected');
    if (this.running) throw new Error('a run is already in progress');
    const controller = new AbortController();
    this.running = controller;
    const paced = pacedProgress(onProgress);
    const store = request.useCache === false ? null : this.store;
    try {
      const kernels = await this.kernels.kernelsFor(request.kernels);
      const checkpoints = await checkpointsOf(request, remote!, store);
      const comparison = await compareCheckpoints(dataset, checkpoints, {
        metricKeys: defaultMetricKeys(request.ks ?? [1, 3, 5, 10], request.mode),
        mode: request.mode,
        kernels,
        keepVectors: true,
        // The page draws no top lists: its exports build them from the rankings kept here (`exportFiles`).
        topLists: false,
        ...(request.sweep ? { sweep: request.sweep } : {}),
        rankedOn: kernels.choice,
        signal: controller.signal,
        onProgress: paced.report,
      });
      this.last = { comparison, request, kernels: kernels.choice };
      return resultOf(this.last);
    } finally {
      paced.stop();
      this.running = null;
    }
  }

  /** Stops the run in progress: the encode after its current batch, the rest between stages. */
  cancelRun(): boolean {
    if (!this.running) return false;
    this.running.abort(new DOMException('run cancelled', 'AbortError'));
    return true;
  }

  /** Re-scores the last run in another mode (TREC / sentence-transformers) without encoding or ranking again. */
  setMode(mode: EvaluationMode): RunResult {
    const last = this.lastRun();
    last.request = { ...last.request, mode };
    // The re-scored report keeps what the ranking ran on: rescoreComparison carries it over.
    last.comparison = rescoreComparison(last.comparison, mode, defaultMetricKeys(last.request.ks ?? [1, 3, 5, 10], mode));
    return resultOf(last);
  }

  /** One query in full: every model's top k beside the baseline's, from the rankings the metrics used. */
  async queryDetail(queryId: string, k = 10, baseline = 0): Promise<QueryDetail> {
    return loadQueryDetail(this.lastRun().comparison, queryId, k, baseline);
  }

  /** The report as files: Markdown (with per-query examples), JSON (the CLI's document), per-query CSV, TREC runs. */
  exportFiles(kind: ExportKind): ExportFile[] {
    return exportFiles(this.lastRun().comparison, kind);
  }

  /** After the dataset was renamed: the last results under the new name, when they are of that dataset. */
  datasetRenamed(dataset: Dataset | null): RunResult | null {
    const last = this.last;
    if (!last || !dataset || last.comparison.dataset !== dataset) return null;
    const { report } = last.comparison;
    last.comparison = { ...last.comparison, report: { ...report, dataset: { ...report.dataset, name: dataset.name } } };
    return resultOf(last);
  }

  cacheSize(): Promise<CacheSize> {
    return this.store.size();
  }

  clearCache(): Promise<void> {
    return this.store.clear();
  }

  private lastRun(): LastRun {
    if (!this.last) throw new Error('nothing has been run yet');
    return this.last;
  }
}
