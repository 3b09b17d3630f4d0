import { wrap, type Remote } from 'comlink';
import type { EncoderApi } from '../worker/api.ts';

/** The one encoder worker of the page: models live in it, the main thread only formats. */
export function createEncoderClient(): Remote<EncoderApi> {
  const worker = new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'encoder' });
  return wrap<EncoderApi>(worker);
}
