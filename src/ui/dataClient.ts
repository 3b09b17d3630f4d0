import { wrap, type Remote } from 'comlink';
import type { DataApi } from '../worker/dataApi.ts';

/** The data worker: parsing and validation of dropped files run there, never on the main thread. */
export function createDataClient(): Remote<DataApi> {
  const worker = new Worker(new URL('../worker/dataWorker.ts', import.meta.url), { type: 'module', name: 'data' });
  return wrap<DataApi>(worker);
}
