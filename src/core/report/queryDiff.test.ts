import { describe, expect, it } from 'vitest';
import { diffTopK, type RankedView } from './queryDiff.ts';

/** A view over a list; documents beyond it are located from `beyond` (rank, score), or not ranked. */
function view(docs: number[], beyond: Record<number, number> = {}): RankedView {
  return {
    docs: Int32Array.from(docs),
    scores: docs.map((_, i) => 1 - i / 10),
    locate: (wanted) => wanted.map((d) => (d in beyond ? { rank: beyond[d], score: -1 } : { rank: null, score: null })),
  };
}

describe('the top-k diff', () => {
  it('marks each document up, down, same or new against the baseline, with where the left ones went', () => {
    const base = view([1, 2, 3, 4], { 9: 40, 8: 12 });
    const other = view([2, 1, 3, 9], { 4: 7 });
    const [b, o] = diffTopK([base, other], 0, 4, [8, 9]);
    expect(b.top.every((e) => e.movement.kind === 'baseline')).toBe(true);
    expect(b.dropped).toEqual([]);
    expect(o.top.map((e) => e.movement)).toEqual([{ kind: 'up', by: 1 }, { kind: 'down', by: 1 }, { kind: 'same' }, { kind: 'new', from: 40 }]);
    expect(o.dropped).toEqual([{ doc: 4, baselineRank: 4, rank: 7, score: -1 }]);
    // Relevant 8 is outside both top 4s; the other model never ranked it.
    expect(b.missingRelevant).toEqual([{ doc: 9, rank: 40, score: -1 }, { doc: 8, rank: 12, score: -1 }].sort((x, y) => x.rank - y.rank));
    expect(o.missingRelevant).toEqual([{ doc: 8, rank: null, score: null }]);
  });

  it('calls a document the baseline never ranked new from nowhere, and cuts at k', () => {
    const [, o] = diffTopK([view([1, 2]), view([5, 1, 2])], 0, 2, []);
    expect(o.top.map((e) => [e.doc, e.movement])).toEqual([[5, { kind: 'new', from: null }], [1, { kind: 'down', by: 1 }]]);
    expect(o.dropped).toEqual([{ doc: 2, baselineRank: 2, rank: 3, score: expect.closeTo(0.8, 6) }]);
  });
});
