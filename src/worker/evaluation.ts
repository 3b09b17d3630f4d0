/**
 * The comparison, run in the data worker where the dataset lives. What is worker-specific stays here: the
 * port to the encoder worker (embeddings come over it, never through the page), the GPU (`gpuKernels.ts`),
 * cancellation, and the last comparison kept for the page's follow-up questions. The comparison itself is
 * core's `compareCheckpoints`, the same the CLI runs.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { Dataset } from '../core/data/dataset.ts';
import { encoderCheckpoint, type OpenedEncoder } from '../core/eval/checkpoint.ts';
import { compareCheckpoints, rescoreComparison, type Comparison, type ComparisonProgress } from '../core/eval/compare.ts';
import { exportFiles, type ExportFile, type ExportKind } from '../core/eval/exportFiles.ts';
import { labView, type LabView } from '../core/eval/labView.ts';
import { queryDetail, type QueryDetail } from '../core/eval/queryDetail.ts';
import type { EvaluationMode } from '../core/metrics/rankings.ts';
import { defaultMetricKeys } from '../core/metrics/registry.ts';
import type { EncoderApi } from './api.ts';
import { kernelsFor, type KernelChoice } from './gpuKernels.ts';
import { IndexedDbEmbeddingStore, type CacheSize } from './indexedDbEmbeddingStore.ts';

export type { KernelChoice } from './gpuKernels.ts';
export type { ExportFile, ExportKind } from '../core/eval/exportFiles.ts';
export type { LabView } from '../core/eval/labView.ts';
export type { QueryDetail } from '../core/eval/queryDetail.ts';
export type { ComparisonProgress, ComparisonStage } from '../core/eval/compare.ts';

export interface RunRequest {
  /** Encoder slots to compare, the first is the baseline. */
  slots: string[];
  mode: EvaluationMode;
  kernels: KernelChoice;
  /** Cutoffs of the metric table. */
  ks?: number[];
  useCache?: boolean;
}

/** A run's result as the page receives it: the view, and where the kernels ran. */
export interface RunResult {
  view: LabView;
  kernelBackend: 'webgpu' | 'cpu';
  kernelNote: string | null;
}

const store = new IndexedDbEmbeddingStore();
let encoder: Remote<EncoderApi> | null = null;
let last: { comparison: Comparison; request: RunRequest; kernelBackend: 'webgpu' | 'cpu'; kernelNote: string | null } | null = null;
let running: AbortController | null = null;

/** A loaded slot of the encoder worker as a comparison checkpoint: it encodes over the port, cancels by job id. */
function slotEncoder(slot: string, remote: Remote<EncoderApi>): () => Promise<OpenedEncoder> {
  return async () => {
    const identity = await remote.identify(slot);
    return {
      fingerprint: identity.fingerprint,
      backend: identity.backendDescription,
      notes: identity.notes,
      async encode(texts, onProgress, signal) {
        const jobId = `${slot}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const cancel = () => void remote.cancel(jobId);
        signal?.addEventListener('abort', cancel, { once: true });
        try {
          const result = await remote.encode(slot, texts, proxy(({ done }: { done: number }) => onProgress(done)), jobId);
          return { vectors: result.vectors, count: result.count, dim: result.dim, note: result.fellBackToWasm };
        } finally {
          signal?.removeEventListener('abort', cancel);
        }
      },
    };
  };
}

function resultOf(state: NonNullable<typeof last>): RunResult {
  return { view: labView(state.comparison), kernelBackend: state.kernelBackend, kernelNote: state.kernelNote };
}

export const evaluationApi = {
  /** Connects to the encoder worker's port (see `EncoderApi.connect`). */
  connectEncoder(port: MessagePort): void {
    encoder = wrap<EncoderApi>(port);
  },

  /** Compares the slots' models on the dataset; progress per checkpoint and stage. */
  async run(dataset: Dataset | null, request: RunRequest, onProgress: (progress: ComparisonProgress) => void): Promise<RunResult> {
    const remote = encoder;
    if (!remote) throw new Error('the encoder worker is not connected');
    if (!dataset) throw new Error('load a dataset first');
    if (request.slots.length < 2) throw new Error('load at least two checkpoints to compare');
    if (running) throw new Error('a run is already in progress');
    const controller = new AbortController();
    running = controller;
    try {
      const kernels = await kernelsFor(request.kernels);
      const identities = await Promise.all(request.slots.map((slot) => remote.identify(slot)));
      const checkpoints = request.slots.map((slot, i) =>
        encoderCheckpoint({ name: identities[i].name, source: identities[i].name, slot }, slotEncoder(slot, remote), request.useCache === false ? null : store),
      );
      const comparison = await compareCheckpoints(dataset, checkpoints, {
        metricKeys: defaultMetricKeys(request.ks ?? [1, 3, 5, 10], request.mode),
        mode: request.mode,
        kernels,
        keepVectors: true,
        signal: controller.signal,
        onProgress,
      });
      const usedGpu = comparison.checkpoints.some((c) => c.rankedOn === 'webgpu') || kernels.diagnostics.backend === 'webgpu';
      last = { comparison, request, kernelBackend: usedGpu ? 'webgpu' : 'cpu', kernelNote: kernels.note };
      return resultOf(last);
    } finally {
      running = null;
    }
  },

  /** Stops the run in progress: the encode after its current batch, the rest between stages. */
  cancelRun(): boolean {
    if (!running) return false;
    running.abort(new DOMException('run cancelled', 'AbortError'));
    return true;
  },

  /** Re-scores the last run in another mode (TREC / sentence-transformers) without encoding or ranking again. */
  setMode(mode: EvaluationMode): RunResult {
    if (!last) throw new Error('nothing has been run yet');
    last.request = { ...last.request, mode };
    last.comparison = rescoreComparison(last.comparison, mode, defaultMetricKeys(last.request.ks ?? [1, 3, 5, 10], mode));
    return resultOf(last);
  },

  /** One query in full: every model's top k beside the baseline's, from the rankings the metrics used. */
  queryDetail(queryId: string, k = 10, baseline = 0): QueryDetail {
    if (!last) throw new Error('nothing has been run yet');
    return queryDetail(last.comparison, queryId, k, baseline);
  },

  /** The report as files: Markdown (with per-query examples), JSON (the CLI's document), per-query CSV, TREC runs. */
  exportFiles(kind: ExportKind): ExportFile[] {
    if (!last) throw new Error('nothing has been run yet');
    return exportFiles(last.comparison, kind);
  },

  /** After the dataset was renamed: the last results under the new name, when they are of that dataset. */
  datasetRenamed(dataset: Dataset | null): RunResult | null {
    if (!last || !dataset || last.comparison.dataset !== dataset) return null;
    const { report } = last.comparison;
    last.comparison = { ...last.comparison, report: { ...report, dataset: { ...report.dataset, name: dataset.name } } };
    return resultOf(last);
  },

  cacheSize(): Promise<CacheSize> {
    return store.size();
  },

  clearCache(): Promise<void> {
    return store.clear();
  },
};
