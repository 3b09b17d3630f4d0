import { describe, expect, it } from 'vitest';
import type { Rankings } from '../data/rankings.ts';
import { rankingsOf } from '../../../tests/fixtures/rankings.ts';
import { mulberry32 } from './random.ts';
import { RankingOrder } from './rankings.ts';

/** trec_eval's order the slow way: every list sorted by score descending, then by the id's UTF-8 bytes descending. */
function trecReference(rankings: Rankings, docId: (row: number) => string): number[][] {
  return Array.from({ length: rankings.offsets.length - 1 }, (_, q) => {
    const positions = Array.from({ length: rankings.offsets[q + 1] - rankings.offsets[q] }, (_, i) => rankings.offsets[q] + i);
    return positions.sort((a, b) => rankings.scores[b] - rankings.scores[a] || Buffer.compare(Buffer.from(docId(rankings.docs[b])), Buffer.from(docId(rankings.docs[a]))));
  });
}

const positionsOf = (order: RankingOrder, q: number) => Array.from({ length: order.length(q) }, (_, rank) => order.position(q, rank));

describe('ranking order, once per rankings and mode', () => {
  it('keeps the stored order in sentence-transformers mode and holds nothing for it', () => {
    const rankings = rankingsOf([[[2, 0.5], [0, 0.5], [1, 0.1]], [], [[1, 0.9]]]);
    const order = RankingOrder.of(rankings, 'sentence-transformers', () => {
      throw new Error('sentence-transformers mode never names a document');
    });
    expect([0, 1, 2].map((q) => positionsOf(order, q))).toEqual([[0, 1, 2], [], [3]]);
    expect(order.reorderedEntries).toBe(0);
    expect(order.length(3)).toBe(0);
  });

  it('breaks TREC ties by document id bytes, descending, holding only the lists that changes', () => {
    // Ids where UTF-8 and UTF-16 disagree: '😀' (F0 9F …) sorts above '～' (EF BD BE) by bytes, below it by code units.
    const ids = ['a', 'b', '～', '😀', 'z'];
    const docId = (row: number) => ids[row];
    const rankings = rankingsOf([
      [[0, 0.5], [1, 0.5], [4, 0.2]], // a, b tied: b first
      [[1, 0.5], [0, 0.5]], // b, a tied: already descending, nothing held
      [[2, 0.7], [3, 0.7]], // ～, 😀 tied: 😀 first by bytes
      [[4, 0.9], [0, 0.3]], // no tie
    ]);
    const order = RankingOrder.of(rankings, 'trec', docId);
    expect([0, 1, 2, 3].map((q) => positionsOf(order, q).map((at) => ids[rankings.docs[at]]))).toEqual([['b', 'a', 'z'], ['b', 'a'], ['😀', '～'], ['z', 'a']]);
    expect(order.reorderedEntries).toBe(3 + 2);
    expect(order.docAt(2, 0)).toBe(3);
    expect(order.scoreAt(0, 2)).toBe(Math.fround(0.2));
  });

  it('equals sorting every list again, on random rankings full of ties (seeded)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = mulberry32(seed);
      const unknownIds = ['x-9', 'x-10'];
      const lists = Array.from({ length: 60 }, () => {
        const length = Math.floor(random() * 12);
        // Scores from a handful of values, descending as stored: ties everywhere, some lists without.
        const scores = Array.from({ length }, () => Math.floor(random() * 4) / 4).sort((a, b) => b - a);
        const docs = new Set<number>();
        while (docs.size < length) docs.add(Math.floor(random() * 40) - 2);
        return [...docs].map((doc, i) => [doc, scores[i]] as const);
      });
      const rankings = rankingsOf(lists, unknownIds);
      const docId = (row: number) => (row >= 0 ? `d${row}` : unknownIds[-row - 1]);
      const order = RankingOrder.of(rankings, 'trec', docId);
      const expected = trecReference(rankings, docId);
      for (let q = 0; q < lists.length; q++) expect(positionsOf(order, q), `seed ${seed}, query ${q}`).toEqual(expected[q]);
      expect(order.reorderedEntries, `seed ${seed}`).toBeLessThan(rankings.docs.length);
    }
  });
});
