import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset.ts';
import { TextCollection } from '../data/textCollection.ts';
import type { CheckpointProgress } from './checkpoint.ts';
import { bm25Checkpoint, bm25Source } from './bm25Checkpoint.ts';
import { judgmentsOf } from '../../../tests/fixtures/judgments.ts';

function dataset(): Dataset {
  const documents = TextCollection.numbered('d', ['cats purr', 'dogs bark at cats', 'birds sing', 'the end']);
  const queries = TextCollection.numbered('q', ['why do cats purr', 'singing birds', 'zebras']);
  return { name: 'tiny', format: 'test', documents, queries, judgments: judgmentsOf(queries, documents, { q1: { d1: 1 } }), warnings: [] };
}

describe('the BM25 checkpoint', () => {
  it('ranks every query to the depth, states its definition and reports documents then queries', async () => {
    const events: CheckpointProgress[] = [];
    const checkpoint = bm25Checkpoint({ name: 'bm25', source: bm25Source() }, { depth: 3 });
    expect(checkpoint.kind).toBe('ranking');
    expect(checkpoint.source).toBe('bm25 (lucene, k1 1.5, b 0.75)');
    const { rankings, notes, backend, fingerprint } = await checkpoint.rankings(dataset(), { onProgress: (p) => void events.push(p) });
    expect([...rankings.offsets]).toEqual([0, 3, 6, 9]);
    expect(rankings.docs[0]).toBe(0);
    expect(rankings.docs[3]).toBe(2);
    expect(rankings.unknownIds).toEqual([]);
    expect(Array.from(rankings.scores.subarray(6, 9))).toEqual([0, 0, 0]);
    expect(notes[0]).toBe(
      "BM25 as bm25s: lucene, k1 = 1.5, b = 0.75; tokenizer: lower case, token pattern (?u)\\b\\w\\w+\\b, bm25s's English stop words, Snowball English stemmer (multilingual-stemmer); ties by document order; lists as deep as bm25s's retrieve(k), documents without a query term last",
    );
    expect(notes[1]).toMatch(/^index: 4 documents, \d+ terms/);
    expect(backend).toMatch(/JavaScript/);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // It encodes nothing, so it says so: an index of the documents, then a search per query, each with its seconds.
    expect(events.some((e) => e.finished || e.stage === 'documents' || e.stage === 'queries')).toBe(false);
    const last = events.filter((e) => e.seconds !== undefined).map((e) => [e.stage, e.done, e.total, e.cached ?? 0]);
    expect(last).toEqual([
      ['index', 4, 4, 0],
      ['search', 3, 3, 0],
    ]);
    expect(events.every((e) => e.seconds === undefined || e.seconds >= 0)).toBe(true);
  });

  it('shares one index between the BM25 checkpoints of a dataset, and tells them apart by fingerprint', async () => {
    const data = dataset();
    const lucene = await bm25Checkpoint({ name: 'bm25', source: bm25Source() }).rankings(data, { onProgress: () => {} });
    const events: CheckpointProgress[] = [];
    const plusOptions = { method: 'bm25+' as const, k1: 1.2, delta: 1 };
    const plus = await bm25Checkpoint({ name: 'bm25+', source: bm25Source(plusOptions) }, plusOptions).rankings(data, { onProgress: (p) => void events.push(p) });
    expect(events.filter((e) => e.stage === 'index')).toEqual([{ stage: 'index', done: 4, total: 4, cached: 4, seconds: expect.any(Number) }]);
    expect(plus.notes[0]).toMatch(/^BM25 as bm25s: bm25\+, k1 = 1.2, b = 0.75, delta = 1;/);
    expect(plus.notes[1]).toMatch(/shared with another BM25 checkpoint/);
    expect(plus.fingerprint).not.toBe(lucene.fingerprint);
    expect(bm25Source(plusOptions)).toBe('bm25 (bm25+, k1 1.2, b 0.75, delta 1)');
    // Another dataset object builds its own index.
    const again = await bm25Checkpoint({ name: 'bm25', source: bm25Source() }).rankings(dataset(), { onProgress: () => {} });
    expect(again.notes[1]).toMatch(/built in/);
    expect(again.fingerprint).toBe(lucene.fingerprint);
  });

  it('stops when cancelled, and a cancelled build is not kept', async () => {
    const data = dataset();
    const controller = new AbortController();
    controller.abort();
    const checkpoint = bm25Checkpoint({ name: 'bm25', source: bm25Source() });
    await expect(checkpoint.rankings(data, { onProgress: () => {}, signal: controller.signal })).rejects.toThrow();
    const after = await checkpoint.rankings(data, { onProgress: () => {} });
    expect(after.notes[1]).toMatch(/built in/);
  });
});
