import { proxy, type Remote } from 'comlink';
import type { ColumnMapping } from '../core/data/columns.ts';
import type { DataIssue } from '../core/data/dataset.ts';
import type { DataWorkerApi } from '../worker/dataWorker.ts';
import type { DatasetSummary } from '../core/data/summary.ts';
import type { DroppedFile, ReadProgress } from '../worker/dataApi.ts';
import type { RunResult } from '../worker/evaluation.ts';

const SAMPLE_URL = '/samples/helpdesk-faq.csv';

/**
 * The loaded dataset and the last attempt. A failed load shows its issues but leaves the dataset that was
 * loaded before in place: a bad file never costs the user what they already had.
 */
export class DatasetState {
  /** The dataset loaded now (it lives in the data worker; this is what the page shows of it). */
  summary = $state.raw<DatasetSummary | null>(null);
  /** Issues of the latest attempt, successful or not. */
  issues = $state.raw<DataIssue[]>([]);
  attemptFailed = $state(false);
  progress = $state.raw<ReadProgress | null>(null);
  busy = $state(false);
  private lastFiles: DroppedFile[] = [];

  constructor(private readonly worker: Remote<DataWorkerApi>) {}

  async load(files: DroppedFile[], mapping?: ColumnMapping): Promise<void> {
    this.busy = true;
    this.progress = null;
    try {
      const summary = await this.worker.load(files, mapping ? { mapping } : {}, proxy((p: ReadProgress) => void (this.progress = p)));
      this.issues = summary.issues;
      this.attemptFailed = !summary.usable;
      if (summary.usable) {
        this.summary = summary;
        this.lastFiles = files;
      }
    } catch (error) {
      this.issues = [{ severity: 'error', file: files.map((f) => f.path).join(', '), message: (error as Error).message }];
      this.attemptFailed = true;
    } finally {
      this.busy = false;
      this.progress = null;
    }
  }

  /** Re-reads the current files with the user's column mapping. */
  remap(mapping: ColumnMapping): Promise<void> {
    return this.load(this.lastFiles, mapping);
  }

  /** Renames the loaded dataset; returns the last results under the new name when they are of it. */
  async rename(name: string): Promise<RunResult | null> {
    const { name: kept, result } = await this.worker.rename(name);
    if (this.summary) this.summary = { ...this.summary, name: kept };
    return result;
  }

  async loadSample(): Promise<void> {
    const response = await fetch(SAMPLE_URL);
    const file = new File([await response.blob()], 'helpdesk-faq.csv', { type: 'text/csv' });
    await this.load([{ path: file.name, file }]);
  }
}
