import { proxy, type Remote } from 'comlink';
import type { EvaluationMode } from '../core/metrics/judgedRun.ts';
import type { CacheSize } from '../worker/indexedDbEmbeddingStore.ts';
import type { DataWorkerApi } from '../worker/dataWorker.ts';
import type { ExportFile, KernelChoice, LabView, QueryDetail, RunProgress, RunStage } from '../worker/evaluation.ts';

export const STAGE_NAMES: Record<RunStage, string> = {
  documents: 'encoding documents',
  queries: 'encoding queries',
  rank: 'ranking and scoring',
  metrics: 'metrics',
  diagnostics: 'diagnostics',
  report: 'comparing models',
};

/**
 * A comparison run and what the page shows of it. The run itself happens in the data worker; a failed or
 * cancelled run leaves the previous results on screen.
 */
export class EvaluationState {
  view = $state.raw<LabView | null>(null);
  running = $state(false);
  /** Latest progress per slot (and `null` for stages over all models). */
  progress = $state.raw<Record<string, RunProgress>>({});
  error = $state<string | null>(null);
  mode = $state<EvaluationMode>('sentence-transformers');
  kernels = $state<KernelChoice>('auto');
  baseline = $state(0);
  selectedQuery = $state<string | null>(null);
  detail = $state.raw<QueryDetail | null>(null);
  detailError = $state<string | null>(null);
  cache = $state.raw<CacheSize | null>(null);
  /** Re-scoring after a mode switch (statistics and curves are recomputed; nothing is encoded). */
  rescoring = $state(false);

  constructor(private readonly worker: Remote<DataWorkerApi>) {}

  async run(slots: string[]): Promise<void> {
    this.running = true;
    this.error = null;
    this.progress = {};
    try {
      const view = await this.worker.run(
        { slots, mode: this.mode, kernels: this.kernels },
        proxy((p: RunProgress) => void (this.progress = { ...this.progress, [p.slot ?? '*']: p })),
      );
      this.view = view;
      this.baseline = 0;
      this.detail = null;
      this.selectedQuery = null;
    } catch (error) {
      const e = error as Error;
      this.error = e.name === 'AbortError' || /cancelled/.test(e.message) ? 'Run cancelled; the previous results (if any) are unchanged.' : e.message;
    } finally {
      this.running = false;
      this.progress = {};
      void this.refreshCache();
    }
  }

  cancel(): Promise<boolean> {
    return this.worker.cancelRun();
  }

  async setMode(mode: EvaluationMode): Promise<void> {
    this.mode = mode;
    if (!this.view) return;
    this.rescoring = true;
    try {
      this.view = await this.worker.setMode(mode);
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

  exportFiles(kind: 'markdown' | 'json' | 'csv' | 'trec'): Promise<ExportFile[]> {
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
