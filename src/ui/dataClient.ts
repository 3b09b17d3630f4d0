import { wrap, type Remote } from 'comlink';
import type { DataWorkerApi } from '../worker/dataWorker.ts';

/** The data worker: parsing, validation and evaluation of the dataset run there, never on the main thread. */
export function createDataClient(): Remote<DataWorkerApi> {
  const worker = new Worker(new URL('../worker/dataWorker.ts', import.meta.url), { type: 'module', name: 'data' });
  return wrap<DataWorkerApi>(worker);
}
