import type { LoadOptions } from '../core/data/loadDataset.ts';
import type { DatasetSummary } from '../core/data/summary.ts';
import { DatasetHolder, type DroppedFile, type ReadProgress } from './dataApi.ts';
import {
  Evaluation,
  type ComparisonProgress,
  type ExportFile,
  type ExportKind,
  type PickedRequest,
  type QueryDetail,
  type RunRequest,
  type RunResult,
  type StoredReportSummary,
} from './evaluation.ts';
import { WorkerKernels } from './gpuKernels.ts';
import { IndexedDbEmbeddingStore, type CacheSize } from './indexedDbEmbeddingStore.ts';
import type { EvaluationMode } from '../core/data/rankings.ts';

/**
 * The data worker's surface: loading and evaluation. The dataset never leaves the worker. Every method is
 * listed here, so what the page can call is what this interface says (a type test pins it).
 */
export interface DataWorkerApi {
  /** Reads and checks dropped files; on success they become the dataset. */
  load(files: DroppedFile[], options?: LoadOptions, onProgress?: (progress: ReadProgress) => void): Promise<DatasetSummary>;
  /** Renames the dataset; the last results, when they are of it, come back under the new name. */
  rename(name: string): { name: string; result: RunResult | null };
  /** A stored report's models, mode and metrics, for the slot that takes it. */
  describeReport(file: File): Promise<StoredReportSummary>;
  /** Reads a slot's picked files (vectors, run file, report) against the dataset; its name, or null without one. */
  checkPicked(request: PickedRequest): Promise<string | null>;
  /** Connects to the encoder worker's port: embeddings come over it, never through the page. */
  connectEncoder(port: MessagePort): void;
  /** Compares the slots' checkpoints on the dataset; progress per checkpoint and stage. */
  run(request: RunRequest, onProgress: (progress: ComparisonProgress) => void): Promise<RunResult>;
  /** Stops the run in progress; false when none runs. */
  cancelRun(): boolean;
  /** Re-scores the last run in another mode without encoding or ranking again. */
  setMode(mode: EvaluationMode): RunResult;
  /** One query of the last run in full: every model's top k beside the baseline's. */
  queryDetail(queryId: string, k?: number, baseline?: number): Promise<QueryDetail>;
  /** The last run's report as files. */
  exportFiles(kind: ExportKind): ExportFile[];
  cacheSize(): Promise<CacheSize>;
  clearCache(): Promise<void>;
}

/** The data worker's state (its dataset, its evaluation with kernels and cache) and the surface over it. */
export function createDataWorkerApi(): DataWorkerApi {
  const dataset = new DatasetHolder();
  const evaluation = new Evaluation(new WorkerKernels(), new IndexedDbEmbeddingStore());
  return {
    load: (files, options, onProgress) => dataset.load(files, options, onProgress),
    rename(name) {
      const kept = dataset.rename(name);
      return { name: kept, result: evaluation.datasetRenamed(dataset.current) };
    },
    describeReport: (file) => evaluation.describeReport(file),
    checkPicked: (request) => evaluation.checkPicked(dataset.current, request),
    connectEncoder: (port) => evaluation.connectEncoder(port),
    run: (request, onProgress) => evaluation.run(dataset.current, request, onProgress),
    cancelRun: () => evaluation.cancelRun(),
    setMode: (mode) => evaluation.setMode(mode),
    queryDetail: (queryId, k, baseline) => evaluation.queryDetail(queryId, k, baseline),
    exportFiles: (kind) => evaluation.exportFiles(kind),
    cacheSize: () => evaluation.cacheSize(),
    clearCache: () => evaluation.clearCache(),
  };
}
