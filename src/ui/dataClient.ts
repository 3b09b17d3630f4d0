import { wrap, type Remote } from 'comlink';
import type { DataWorkerApi } from '../worker/dataWorker.ts';

/** The data worker (the workers' one script, named "data"): parsing, validation and evaluation of the dataset run there, never on the main thread. */
export function createDataClient(): Remote<DataWorkerApi> {
  const worker = new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'data' });
  return wrap<DataWorkerApi>(worker);
}
