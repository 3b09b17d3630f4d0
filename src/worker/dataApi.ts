/**
 * The data worker's dataset: reading and validating dropped files happens here, off the main thread, so a
 * large file never freezes the page. The parsed dataset stays here; the page gets its summary (a million
 * strings crossing to the main thread would freeze it for seconds in structured clone alone).
 */
import type { Dataset } from '../core/data/dataset.ts';
import { datasetName, loadDataset, loadStreamedTable, type LoadOptions, type LoadResult } from '../core/data/loadDataset.ts';
import { summarizeLoad, type DatasetSummary } from '../core/data/summary.ts';
import { inspectHead, shouldStream, streamTable } from '../core/data/streamTable.ts';

export interface DroppedFile {
  /** Path relative to what was dropped, `/`-separated (a folder's name first). */
  path: string;
  file: File;
}

export interface ReadProgress {
  stage: 'reading' | 'parsing';
  /** Bytes read so far, of `total`. */
  done: number;
  total: number;
}

/** The data worker's dataset: the last one loaded successfully (a failed load leaves it in place). */
export class DatasetHolder {
  current: Dataset | null = null;

  /** Reads and checks `files`; on success they become the current dataset. */
  async load(files: DroppedFile[], options: LoadOptions = {}, onProgress?: (progress: ReadProgress) => void): Promise<DatasetSummary> {
    const result = await read(files, options, onProgress);
    if (result.dataset) this.current = result.dataset;
    return summarizeLoad(result);
  }

  /** Renames the current dataset (reports and exports use the new name); returns the name kept. */
  rename(name: string): string {
    if (!this.current) throw new Error('no dataset is loaded');
    const trimmed = name.trim();
    if (trimmed) this.current.name = trimmed;
    return this.current.name;
  }
}

async function read(files: DroppedFile[], options: LoadOptions, onProgress?: (progress: ReadProgress) => void): Promise<LoadResult> {
  const total = files.reduce((n, f) => n + f.file.size, 0);
  const [only] = files;
  if (files.length === 1 && shouldStream(only.path, only.file.size)) {
    // A large table is parsed in chunks straight from the File: the text is never held whole.
    return loadStreamedTable(
      async (handOver) => {
        const head = new Uint8Array(await only.file.slice(0, 64 * 1024).arrayBuffer());
        const { encoding, delimiter } = inspectHead(head, only.path);
        return streamTable(only.file, only.path, delimiter, {
          encoding,
          handOver,
          onProgress: ({ parsed }) => void onProgress?.({ stage: 'reading', done: Math.min(parsed, total), total }),
        });
      },
      datasetName(files),
      options,
    );
  }
  let done = 0;
  const inputs = [];
  for (const { path, file } of files) {
    inputs.push({ path, bytes: new Uint8Array(await file.arrayBuffer()) });
    done += file.size;
    await onProgress?.({ stage: 'reading', done, total });
  }
  await onProgress?.({ stage: 'parsing', done, total });
  return loadDataset(inputs, options);
}
