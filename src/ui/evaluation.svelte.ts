import { proxy, type Remote } from 'comlink';
import { DEFAULT_RESCORE, parseSweep, type SweepSpec } from '../core/eval/compressionSweep.ts';
import { PRECISIONS, type Precision } from '../core/report/sweepTable.ts';
import type { CacheSize } from '../worker/indexedDbEmbeddingStore.ts';
import type { DataWorkerApi } from '../worker/dataWorker.ts';
import type { CheckpointRequest, ComparisonProgress, ComparisonStage, ExportFile, ExportKind, QueryDetail, RunResult } from '../worker/evaluation.ts';
import type { BackendRequest, KernelBackend } from '../core/backends/backendChoice.ts';
import { nextTask } from './tasks.svelte.ts';
import type { EvaluationMode } from '../core/data/rankings.ts';

export const STAGE_NAMES: Record<ComparisonStage, string> = {
  documents: 'encoding documents',
  queries: 'encoding queries',
  vectors: 'reading vectors',
  rankings: 'reading rankings',
  index: 'indexing documents',
  search: 'searching the index',
  rank: 'ranking and scoring',
  diagnostics: 'diagnostics',
  sweep: 'compression sweep',
  report: 'comparing models',
};

/**
 * A comparison run and what the page shows of it. The run itself happens in the data worker; a failed or
 * cancelled run leaves the previous results on screen, as does loading another dataset (marked then).
 */
export class EvaluationState {
  result = $state.raw<RunResult | null>(null);
  running = $state(false);
  /** Latest progress per checkpoint (and `*` for stages over all of them). */
  progress = $state.raw<Record<string, ComparisonProgress>>({});
  error = $state<string | null>(null);
  mode = $state<EvaluationMode>('sentence-transformers');
  kernels = $state<BackendRequest<KernelBackend>>('auto');
  baseline = $state(0);
  selectedQuery = $state<string | null>(null);
  detail = $state.raw<QueryDetail | null>(null);
  detailError = $state<string | null>(null);
  cache = $state.raw<CacheSize | null>(null);
  /** The compression sweep's settings (run panel): off unless asked for. */
  sweep = $state({
    enabled: false,
    dims: '384,256,128,64',
    precisions: { float32: true, float16: true, int8: true, binary: true } as Record<Precision, boolean>,
    rescore: DEFAULT_RESCORE,
    int8Weights: false,
  });
  /** Re-scoring after a mode switch (statistics and curves are recomputed; nothing is encoded). */
  rescoring = $state(false);
  /** Counts finished runs: views that keep choices of their own (the per-query sort) start afresh on a new one. */
  runCount = $state(0);
  /** The key of the progress entry that came last: the stage under way, while the others are done. */
  currentProgress = $state<string | null>(null);
  /**
   * The dataset loaded since the results on screen were computed (null while they are of the one loaded):
   * the results stay, marked as an earlier run's, until the next run.
   */
  loadedSinceResult = $state<string | null>(null);

  constructor(private readonly worker: Remote<DataWorkerApi>) {}

  async run(checkpoints: CheckpointRequest[]): Promise<void> {
    this.running = true;
    this.error = null;
    this.progress = {};
    this.currentProgress = null;
    try {
      const sweep = this.sweepSpec();
      const result = await this.worker.run(
        { checkpoints, mode: this.mode, kernels: this.kernels, ...(sweep ? { sweep } : {}) },
        proxy((p: ComparisonProgress) => {
          const key = String(p.checkpoint ?? '*');
          this.progress = { ...this.progress, [key]: p };
          this.currentProgress = key;
        }),
      );
      // Drawn in the next task: the result's arrival (the clone of a thousand queries' lists) is one already.
      await nextTask();
      this.result = result;
      this.baseline = 0;
      this.detail = null;
      this.selectedQuery = null;
      this.loadedSinceResult = null;
      this.runCount++;
    } catch (error) {
      const e = error as Error;
      this.error = e.name === 'AbortError' || /cancelled/.test(e.message) ? 'Run cancelled; the previous results (if any) are unchanged.' : e.message;
    } finally {
      this.running = false;
      this.progress = {};
      this.currentProgress = null;
      void this.refreshCache();
    }
  }

  /** Another dataset was loaded (not renamed): the results shown, if any, are now an earlier run's. */
  datasetLoaded(name: string | null): void {
    if (this.result) this.loadedSinceResult = name ?? 'the data loaded now';
  }

  /** The sweep as the run asks for it; a bad setting is the run's error, named. */
  private sweepSpec(): SweepSpec | undefined {
    const { enabled, dims, precisions, rescore, int8Weights } = this.sweep;
    if (!enabled) return undefined;
    const chosen = PRECISIONS.filter((p) => precisions[p]);
    return parseSweep([`dims=${dims}`, ...(chosen.length ? [`precision=${chosen.join(',')}`] : []), ...(int8Weights ? ['weights=quantized'] : [])], Number(rescore));
  }

  cancel(): Promise<boolean> {
    return this.worker.cancelRun();
  }

  async setMode(mode: EvaluationMode): Promise<void> {
    this.mode = mode;
    if (!this.result) return;
    this.rescoring = true;
    try {
      const result = await this.worker.setMode(mode);
      await nextTask();
      this.result = result;
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.rescoring = false;
    }
    if (this.selectedQuery) await this.select(this.selectedQuery);
  }

  async select(queryId: string): Promise<void> {
    this.selectedQuery = queryId;
    this.detailError = null;
    try {
      const detail = await this.worker.queryDetail(queryId, 10, this.baseline);
      if (this.selectedQuery === queryId) this.detail = detail;
    } catch (error) {
      this.detailError = (error as Error).message;
    }
  }

  exportFiles(kind: ExportKind): Promise<ExportFile[]> {
    return this.worker.exportFiles(kind);
  }

  async refreshCache(): Promise<void> {
    this.cache = await this.worker.cacheSize().catch(() => null);
  }

  async clearCache(): Promise<void> {
    await this.worker.clearCache();
    await this.refreshCache();
  }
}
