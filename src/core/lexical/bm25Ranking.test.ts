import { describe, expect, it } from 'vitest';
import { buildBm25Index, queryTermIds, type Bm25Index } from './bm25Index.ts';
import { rankBm25 } from './bm25Ranking.ts';
import { absentTotal, BM25_DEFAULTS, bm25Weights, type Bm25Parameters } from './bm25Scoring.ts';
import { loadBm25Tokenizer } from './bm25Tokenizer.ts';

async function rank(corpus: string[], queries: string[], depth: number, params: Bm25Parameters = BM25_DEFAULTS) {
  const index = await buildBm25Index(corpus, await loadBm25Tokenizer());
  const ranked = await rankBm25(index, bm25Weights(index, params), queries, depth);
  const lists = queries.map((_, q) => Array.from({ length: ranked.k }, (_, i) => [ranked.indices[q * ranked.k + i], ranked.scores[q * ranked.k + i]]));
  return { index, ranked, lists };
}

/** Every document's score the slow way (float32 sums in query-term order, as bm25s), sorted by score then row. */
function bruteForce(index: Bm25Index, params: Bm25Parameters, query: string, k: number): number[] {
  const weights = bm25Weights(index, params);
  const ids = queryTermIds(index, query);
  const sums = new Float32Array(index.documentCount);
  for (const t of ids) for (let p = index.offsets[t]; p < index.offsets[t + 1]; p++) sums[index.docs[p]] += weights.postings[p];
  const base = weights.absent ? absentTotal(weights.absent, ids) : 0;
  const final = Array.from(sums, (s) => Math.fround(s + base));
  return Array.from(final.keys())
    .sort((a, b) => final[b] - final[a] || a - b)
    .slice(0, k);
}

describe('ranking with BM25', () => {
  it('breaks ties by lower document row', async () => {
    const { lists } = await rank(['dog', 'cat', 'cat', 'dog cat'], ['cat'], 4);
    expect(lists[0].map(([d]) => d)).toEqual([1, 2, 3, 0]);
    expect(lists[0][0][1]).toBe(lists[0][1][1]);
  });

  it('fills every list to the depth, as bm25s retrieve(k) does: documents without a query term score 0, lowest rows first', async () => {
    const { lists } = await rank(['dog', 'dog', 'cat', 'dog', 'dog'], ['cat', 'zebra', ''], 3);
    expect(lists[0].map(([d]) => d)).toEqual([2, 0, 1]);
    expect(lists[0][1][1]).toBe(0);
    // No known term (or no term at all): every score 0, documents in row order.
    expect(lists[1]).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(lists[2]).toEqual([[0, 0], [1, 0], [2, 0]]);
  });

  it('counts a repeated query term each time and ignores terms outside the vocabulary', async () => {
    const { lists } = await rank(['cat dog', 'dog', 'bird'], ['cat', 'cat cat', 'cat zebra'], 3);
    expect(lists[1][0][1]).toBe(Math.fround(lists[0][0][1] * 2));
    expect(lists[2]).toEqual(lists[0]);
  });

  it('keeps at most every document when the depth passes the corpus', async () => {
    const { ranked } = await rank(['cat', 'dog'], ['cat'], 100);
    expect(ranked.k).toBe(2);
  });

  it('bm25+ lifts documents without the term to the non-occurrence total', async () => {
    const params = { ...BM25_DEFAULTS, method: 'bm25+' as const };
    const { lists, index } = await rank(['dog', 'cat', 'dog'], ['cat'], 3, params);
    const floor = bm25Weights(index, params).absent![index.vocabulary.get('cat')!];
    expect(lists[0].map(([d]) => d)).toEqual([1, 0, 2]);
    expect(lists[0][1][1]).toBe(floor);
    expect(floor).toBeGreaterThan(0);
  });

  it('selects exactly what sorting every score gives, few or most documents touched, on random corpora (seeded)', async () => {
    const tokenizer = await loadBm25Tokenizer({ stemmer: null, stopwords: null });
    for (const seed of [1, 2, 3, 4]) {
      let state = seed * 2654435761;
      const random = () => ((state = Math.imul(state ^ (state >>> 13), 0x5bd1e995) ^ (state >>> 7)) >>> 0) / 2 ** 32;
      // A small vocabulary with a few frequent words: many ties, many untouched documents for rare words.
      const word = () => `w${Math.floor(random() ** 3 * 40)}`;
      const corpus = Array.from({ length: 300 + seed * 37 }, () => Array.from({ length: Math.floor(random() * 12) }, word).join(' '));
      const queries = Array.from({ length: 40 }, () => Array.from({ length: 1 + Math.floor(random() * 4) }, word).join(' '));
      const index = await buildBm25Index(corpus, tokenizer);
      for (const params of [BM25_DEFAULTS, { ...BM25_DEFAULTS, method: 'bm25l' as const }]) {
        for (const depth of [1, 10, 100]) {
          const ranked = await rankBm25(index, bm25Weights(index, params), queries, depth);
          queries.forEach((query, q) => {
            const got = Array.from(ranked.indices.subarray(q * ranked.k, (q + 1) * ranked.k));
            expect(got, `seed ${seed}, ${params.method}, depth ${depth}, "${query}"`).toEqual(bruteForce(index, params, query, ranked.k));
          });
        }
      }
    }
  });

  it('reports progress per query and stops when cancelled', async () => {
    const index = await buildBm25Index(['cat', 'dog'], await loadBm25Tokenizer());
    const weights = bm25Weights(index, BM25_DEFAULTS);
    const seen: string[] = [];
    await rankBm25(index, weights, ['cat', 'dog', 'bird'], 2, { onProgress: ({ done, total }) => void seen.push(`${done}/${total}`) });
    expect(seen.at(-1)).toBe('3/3');
    const controller = new AbortController();
    controller.abort();
    await expect(rankBm25(index, weights, ['cat'], 2, { signal: controller.signal, onProgress: () => {} })).rejects.toThrow();
    await expect(rankBm25(index, weights, ['cat'], 0)).rejects.toThrow(/depth/);
  });
});
