import type { DataWorkerApi } from '../worker/dataWorker.ts';
import { connectWorker, type WorkerConnection } from './workerConnection.ts';

/** The data worker (the workers' one script, named "data"): parsing, validation and evaluation of the dataset run there, never on the main thread. */
export function createDataClient(): WorkerConnection<DataWorkerApi> {
  const worker = new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'data' });
  return connectWorker<DataWorkerApi>(worker, { name: 'the data worker', holds: 'the dataset and the results' });
}
