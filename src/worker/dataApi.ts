/**
 * The data worker's surface: reading and validating dropped files happens here, off the main thread, so a
 * large file never freezes the page. Plain data in, plain data (Maps included) out.
 */
import { loadDataset, type LoadOptions, type LoadResult } from '../core/data/loadDataset.ts';

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

export const dataApi = {
  async load(files: DroppedFile[], options: LoadOptions = {}, onProgress?: (progress: ReadProgress) => void): Promise<LoadResult> {
    const total = files.reduce((n, f) => n + f.file.size, 0);
    let done = 0;
    const inputs = [];
    for (const { path, file } of files) {
      inputs.push({ path, bytes: new Uint8Array(await file.arrayBuffer()) });
      done += file.size;
      await onProgress?.({ stage: 'reading', done, total });
    }
    await onProgress?.({ stage: 'parsing', done, total });
    return loadDataset(inputs, options);
  },
};

export type DataApi = typeof dataApi;
