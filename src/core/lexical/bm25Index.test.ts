import { describe, expect, it } from 'vitest';
import { buildBm25Index, queryTermIds } from './bm25Index.ts';
import { loadBm25Tokenizer } from './bm25Tokenizer.ts';

const CORPUS = ['cat cat dog', 'dog bird', 'the', 'Bird birds BIRD cat'];

describe('the BM25 index', () => {
  it('lays postings out as CSR by term, documents ascending, with counts and lengths after stop words', async () => {
    const index = await buildBm25Index(CORPUS, await loadBm25Tokenizer());
    expect(index.terms).toEqual(['cat', 'dog', 'bird']);
    expect([...index.vocabulary]).toEqual([['cat', 0], ['dog', 1], ['bird', 2]]);
    expect(index.documentCount).toBe(4);
    expect([...index.offsets]).toEqual([0, 2, 4, 6]);
    expect([...index.docs]).toEqual([0, 3, 0, 1, 1, 3]);
    expect(index.frequencies).toBeInstanceOf(Uint16Array);
    expect([...index.frequencies]).toEqual([2, 1, 1, 1, 1, 3]);
    // "the" is a stop word: document 2 is empty but counts in N and in the mean length.
    expect([...index.lengths]).toEqual([3, 2, 0, 4]);
    expect(index.averageLength).toBe(9 / 4);
  });

  it('widens the counts past 65 535 occurrences', async () => {
    const index = await buildBm25Index([Array(70_000).fill('cat').join(' '), 'cat dog'], await loadBm25Tokenizer());
    expect(index.frequencies).toBeInstanceOf(Int32Array);
    expect([...index.frequencies]).toEqual([70_000, 1, 1]);
  });

  it('indexes an empty corpus and a corpus without a term', async () => {
    const tokenizer = await loadBm25Tokenizer();
    const empty = await buildBm25Index([], tokenizer);
    expect([empty.documentCount, empty.terms.length, empty.averageLength]).toEqual([0, 0, 0]);
    const stops = await buildBm25Index(['the a', ''], tokenizer);
    expect([...stops.offsets]).toEqual([0]);
    expect([...stops.lengths]).toEqual([0, 0]);
  });

  it('maps a query to known term ids, repeats kept and unknown terms dropped', async () => {
    const index = await buildBm25Index(CORPUS, await loadBm25Tokenizer());
    expect([...queryTermIds(index, 'Cats and zebras chase cats and birds')]).toEqual([0, 0, 2]);
  });

  it('reports progress and stops when cancelled', async () => {
    const tokenizer = await loadBm25Tokenizer();
    const seen: number[] = [];
    await buildBm25Index(CORPUS, tokenizer, { onProgress: ({ done, total }) => void seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);
    const controller = new AbortController();
    controller.abort();
    await expect(buildBm25Index(CORPUS, tokenizer, { signal: controller.signal, onProgress: () => {} })).rejects.toThrow();
  });

  it('yields while building a large corpus: no stretch between two reports much over the 20 ms pace', async () => {
    const tokenizer = await loadBm25Tokenizer();
    const texts = Array.from({ length: 20_000 }, (_, i) => `document ${i} about cells, proteins and word${i % 977} with some more words in it`);
    let last = performance.now();
    let longest = 0;
    let reports = 0;
    await buildBm25Index(texts, tokenizer, {
      onProgress: () => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        reports++;
      },
    });
    expect(reports).toBeGreaterThan(1);
    // One document past the pace at most; generous for a loaded machine.
    expect(longest).toBeLessThan(50 * 4);
  });
});
