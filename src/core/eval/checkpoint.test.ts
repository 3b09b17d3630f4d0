import { describe, expect, it } from 'vitest';
import { circleDataset } from '../../../tests/fixtures/comparisonCase.ts';
import { encoderCheckpoint, type CheckpointProgress, type OpenedEncoder } from './checkpoint.ts';
import type { EmbeddingStore } from './embeddingCache.ts';

/** The embedding store contract in memory: what IndexedDB and the disk store keep, keyed the same way. */
function memoryStore(): EmbeddingStore & { size(): number } {
  const rows = new Map<string, Float32Array>();
  return {
    async get(model, hashes) {
      return hashes.map((h) => rows.get(`${model}:${h}`) ?? null);
    },
    async put(model, hashes, vectors, dim) {
      hashes.forEach((h, i) => rows.set(`${model}:${h}`, vectors.slice(i * dim, (i + 1) * dim)));
    },
    size: () => rows.size,
  };
}

/** A deterministic 3-dimensional "model": each text's length and first two character codes. */
function lengthEncoder(log: string[][]): OpenedEncoder & { released: boolean } {
  const encoder = {
    fingerprint: 'length-model',
    backend: 'test backend',
    notes: ['mean pooling assumed'],
    released: false,
    async encode(texts: string[], onProgress: (done: number) => void | Promise<void>) {
      log.push(texts);
      await onProgress(texts.length);
      const vectors = Float32Array.from(texts.flatMap((t) => [t.length, t.charCodeAt(0) || 0, t.charCodeAt(1) || 0]));
      return { vectors, count: texts.length, dim: 3, note: texts.length > 4 ? 'fell back to WASM' : null };
    },
    async release() {
      encoder.released = true;
    },
  };
  return encoder;
}

describe('a model that encodes the dataset here', () => {
  it('encodes documents then queries, only what the cache lacks, and reports each stage', async () => {
    const dataset = circleDataset();
    const store = memoryStore();
    const log: string[][] = [];
    const progress: CheckpointProgress[] = [];
    const opened = lengthEncoder(log);
    const checkpoint = encoderCheckpoint({ name: 'length', source: 'mem' }, async () => opened, store);
    const first = await checkpoint.vectors(dataset, { onProgress: (p) => void progress.push(p) });
    expect(log).toEqual([dataset.documents.texts, dataset.queries.texts]);
    expect(first).toMatchObject({ dim: 3, backend: 'test backend', encoded: 8, cached: 0, notes: ['mean pooling assumed', 'fell back to WASM'] });
    expect(Array.from((first.documents as Float32Array).subarray(0, 3))).toEqual([4, 'e'.charCodeAt(0), 'a'.charCodeAt(0)]);
    expect(opened.released).toBe(true);
    expect(progress.filter((p) => p.finished).map((p) => [p.stage, p.finished!.encoded, p.finished!.cached])).toEqual([
      ['documents', 5, 0],
      ['queries', 3, 0],
    ]);
    expect(store.size()).toBe(8);

    log.length = 0;
    const again = await encoderCheckpoint({ name: 'length', source: 'mem' }, async () => lengthEncoder(log), store).vectors(dataset, { onProgress: () => undefined });
    expect(log).toEqual([]);
    expect(again).toMatchObject({ encoded: 0, cached: 8 });
    expect(Array.from(again.queries)).toEqual(Array.from(first.queries));
  });

  it('releases the model when encoding fails or is cancelled', async () => {
    const opened = lengthEncoder([]);
    const controller = new AbortController();
    const failing = { ...opened, encode: async () => Promise.reject(new DOMException('encoding cancelled', 'AbortError')) };
    const checkpoint = encoderCheckpoint({ name: 'x', source: 'x' }, async () => failing, null);
    controller.abort();
    await expect(checkpoint.vectors(circleDataset(), { onProgress: () => undefined, signal: controller.signal })).rejects.toThrow(/encoding cancelled/);
    expect(opened.released).toBe(true);
  });
});
