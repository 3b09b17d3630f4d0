import type { EncoderApi } from '../worker/api.ts';
import { connectWorker, type WorkerConnection } from './workerConnection.ts';

/** The one encoder worker of the page: models live in it, the main thread only formats. */
export function createEncoderClient(): WorkerConnection<EncoderApi> {
  const worker = new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'encoder' });
  return connectWorker<EncoderApi>(worker, { name: 'the encoder worker', holds: 'the loaded models' });
}
