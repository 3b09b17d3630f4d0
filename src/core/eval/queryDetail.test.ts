import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import type { RankingCheckpoint } from './checkpoint.ts';
import { compareCheckpoints } from './compare.ts';
import { queryDetail } from './queryDetail.ts';

const A = fixedVectors('model-a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]);
const B = fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1]);
const OPTIONS = { metricKeys: ['mrr@10'], mode: 'sentence-transformers' as const, keepVectors: true, diagnostics: false as const };

describe('one query in detail', () => {
  it('shows each model’s top k from the ranking the metrics read, with movements against the baseline', async () => {
    const comparison = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    const detail = queryDetail(comparison, 'q2', 2);
    expect(detail.query).toEqual({ id: 'q2', text: 'west-ish' });
    expect(detail.relevantCount).toBe(1);
    const [a, b] = detail.models;
    expect(a.top.map((e) => [e.docId, e.rank, e.movement.kind])).toEqual([['d4', 1, 'baseline'], ['d3', 2, 'baseline']]);
    // B's top 2 is d2 (A had it at 4: new) and d1 (A: 5).
    expect(b.top.map((e) => [e.docId, e.movement])).toEqual([['d2', { kind: 'new', from: 4 }], ['d1', { kind: 'new', from: 5 }]]);
    // A's top 2 left B's: d4 now 4th, d3 3rd (the tie with d1 goes to the lower row).
    expect(b.dropped.map((e) => [e.docId, e.baselineRank, e.rank])).toEqual([['d4', 1, 4], ['d3', 2, 3]]);
    expect(b.missingRelevant).toEqual([{ docId: 'd4', text: 'west', rank: 4, score: expect.closeTo(-Math.SQRT1_2, 6), relevance: 1 }]);
    expect(b.top[0].score).toBeCloseTo(0.7 * Math.SQRT2, 6);
  });

  it('finds ranks beyond the retrieved depth in the full ranking, and a run file’s as not ranked', async () => {
    const run: RankingCheckpoint = {
      kind: 'ranking',
      name: 'short-run',
      source: 'short.run',
      rankings: async () => ({
        // One result per query: q1 → d2, q2 → d2.
        rankings: { offsets: Int32Array.of(0, 1, 2, 2), docs: Int32Array.of(1, 1), scores: Float32Array.of(1, 1), unknownIds: [] },
        backend: 'run file',
        fingerprint: 'run:short',
        notes: [],
      }),
    };
    const comparison = await compareCheckpoints(circleDataset(), [A, run], { ...OPTIONS, depth: 2, metricKeys: ['mrr@2'] });
    expect(comparison.checkpoints[0].depth).toBe(2);
    const detail = queryDetail(comparison, 'q1', 1);
    const [a, r] = detail.models;
    // A retrieved d1 d2 only; d3 (relevant) sits at 3 in its full ranking.
    expect(a.missingRelevant.map((e) => [e.docId, e.rank])).toEqual([['d3', 3]]);
    expect(r.depth).toBe(1);
    expect(r.top.map((e) => [e.docId, e.movement])).toEqual([['d2', { kind: 'new', from: 2 }]]);
    expect(r.missingRelevant.map((e) => [e.docId, e.rank, e.score])).toEqual([['d1', null, null], ['d3', null, null]]);
    expect(r.dropped).toEqual([{ docId: 'd1', text: 'east', baselineRank: 1, rank: null, score: null }]);
    expect(() => queryDetail(comparison, 'nope')).toThrow(/no query nope/);
  });
});
