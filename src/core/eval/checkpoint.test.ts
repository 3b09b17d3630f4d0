import { afterEach, describe, expect, it, vi } from 'vitest';
import { circleDataset } from '../../../tests/fixtures/comparisonCase.ts';
import { makeTinyBertFolder } from '../../../tests/fixtures/tinyBertFolder.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { encodeTexts, type TokenEmbedder } from '../model/encoder.ts';
import { readModelSpec } from '../model/modelSpec.ts';
import { TextTokenizer } from '../model/textTokenizer.ts';
import type { Dataset } from '../data/dataset.ts';
import { TextCollection } from '../data/textCollection.ts';
import { encoderCheckpoint, type CheckpointProgress, type OpenedEncoder } from './checkpoint.ts';
import { memoryStore } from '../../../tests/fixtures/memoryStore.ts';


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

describe('the time left while a model encodes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is estimated from padded tokens, so the long texts encoded first do not inflate it', async () => {
    // A clock that moves 1 ms per padded token, the cost of a forward pass, and nothing else.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const embedder: TokenEmbedder = {
      async embed(inputs) {
        now += inputs.batch * inputs.seqLen;
        return { vectors: new Float32Array(inputs.batch * 2).fill(1), dim: 2 };
      },
    };
    const spec = await readModelSpec(memorySource('fixture', makeTinyBertFolder().files));
    const tokenizer = TextTokenizer.fromSpec(spec);
    // 8 long documents then 400 short ones: the first batch is 2 % of the texts and about a third of the time.
    const texts = [...Array.from({ length: 8 }, () => 'hello world '.repeat(60)), ...Array.from({ length: 400 }, (_, i) => `hello ${i % 2 ? 'world' : ''}`)];
    const opened: OpenedEncoder = {
      fingerprint: 'tokens-clock',
      backend: 'test',
      notes: [],
      encode: (batch, onProgress) => encodeTexts(batch, tokenizer, embedder, { pooling: ['mean'], normalize: true }, { onProgress: ({ done, tokens }) => onProgress(done, tokens), maxBatch: 8 }),
    };
    const dataset: Dataset = { ...circleDataset(), documents: TextCollection.numbered('d', texts) };
    const progress: CheckpointProgress[] = [];
    const started = now;
    await encoderCheckpoint({ name: 'clock', source: 'mem' }, async () => opened, null).vectors(dataset, {
      onProgress: (p) => void (p.stage === 'documents' && progress.push({ ...p, finished: { encoded: 0, cached: 0, seconds: (now - started) / 1000 } })),
    });
    const total = progress.at(-1)!.finished!.seconds;
    const firstEstimate = progress.find((p) => p.etaSeconds !== undefined)!;
    const elapsed = firstEstimate.finished!.seconds;
    // The estimate after the first batch is the truth (the clock is exactly linear in tokens) …
    expect(elapsed + firstEstimate.etaSeconds!).toBeCloseTo(total, 6);
    // … where texts per second would have said several times as much.
    const byTexts = ((texts.length - firstEstimate.done) * elapsed) / firstEstimate.done;
    expect(byTexts / firstEstimate.etaSeconds!).toBeGreaterThan(3);
  });
});
