import { describe, expect, it } from 'vitest';
import { assignFolds, crossValidatedWeight, WEIGHT_GRID } from './crossValidatedWeight.ts';
import { PreparedFusion } from './fuseRankings.ts';
import type { Rankings } from '../../data/rankings.ts';

/**
 * Queries where one input is right and the other wrong. Query q's documents: 4q (the other input's top),
 * 4q + 1 (relevant), 4q + 2 and 4q + 3 (filler). An "A" query: A ranks the relevant one first, B ranks 4q
 * first; min-max makes the relevant one W and 4q 1 − W, so it wins at the top iff W > 0.5 (at 0.5 the tie
 * goes to the lower row, 4q). A "B" query the other way round: it wins iff W < 0.5.
 */
function twoKindsOfQueries(kinds: readonly ('A' | 'B')[]): { a: Rankings; b: Rankings } {
  const lists = (first: (q: number) => boolean, filler: number) =>
    kinds.map((_, q): [number, number][] => [[first(q) ? 4 * q + 1 : 4 * q, 0.9], [4 * q + filler, 0.1]]);
  const of = (l: [number, number][][]): Rankings => ({
    offsets: Int32Array.from({ length: l.length + 1 }, (_, q) => 2 * q),
    docs: Int32Array.from(l.flat().map(([d]) => d)),
    scores: Float32Array.from(l.flat().map(([, s]) => s)),
    unknownIds: [],
  });
  return { a: of(lists((q) => kinds[q] === 'A', 2)), b: of(lists((q) => kinds[q] === 'B', 3)) };
}

/** 1 when the relevant document (4q + 1) is first: the criterion, per evaluated query. */
const topHit = (rows: Int32Array) => (rankings: Rankings) => Float64Array.from(rows, (q) => (rankings.docs[rankings.offsets[q]] === 4 * q + 1 ? 1 : 0));

const SEED = 11;
const N = 25;
const FOLD = assignFolds(N, 5, SEED);
/** Folds 0 and 1 all "A", fold 2 three "A" and two "B", folds 3 and 4 all "B": 13 A, 12 B. */
function kindsByFold(fold0: 'A' | 'B' = 'A'): ('A' | 'B')[] {
  const seen = [0, 0, 0, 0, 0];
  return Array.from(FOLD, (f) => {
    const i = seen[f]++;
    if (f === 0) return fold0;
    return f === 1 || (f === 2 && i < 3) ? 'A' : 'B';
  });
}

async function crossValidate(kinds: ('A' | 'B')[]) {
  const { a, b } = twoKindsOfQueries(kinds);
  const prepared = new PreparedFusion([a, b], { method: { name: 'wsum', weights: null }, normalization: 'min-max', depth: 100 });
  const rows = Int32Array.from({ length: N }, (_, q) => q);
  return { prepared, result: await crossValidatedWeight(prepared, { queryRows: rows, criterion: topHit(rows), seed: SEED }) };
}

describe('folds over queries', () => {
  it('partition the queries into five folds of near-equal size, drawn from the seed', () => {
    const folds = assignFolds(23, 5, 7);
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((x) => x === f).length);
    expect(sizes.sort()).toEqual([4, 4, 5, 5, 5]);
    expect(Array.from(assignFolds(23, 5, 7))).toEqual(Array.from(folds));
    expect(Array.from(assignFolds(23, 5, 8))).not.toEqual(Array.from(folds));
  });
});

describe('a cross-validated wsum weight', () => {
  it("chooses each fold's W on the other folds only, and ranks the fold with it", async () => {
    const { prepared, result } = await crossValidate(kindsByFold());
    const byFold = result.folds.map((f) => f.weight);
    // Fold 0 trains on 8 A against 12 B → W < 0.5, the closest to 0.5 of the tied ones: 0.45 — though its own
    // queries (all A) want W > 0.5. Folds 3 and 4 train on 13 A against 7 B → 0.55. Fold 2: 10 against 10, a
    // tie between 0.45 and 0.55, equally close to 0.5 → the smaller.
    expect(byFold).toEqual([0.45, 0.45, 0.45, 0.55, 0.55]);
    expect(result.folds.map((f) => f.value)).toEqual([0, 0, 2 / 5, 0, 0]);
    // The folds partition the queries, as drawn.
    const all = result.folds.flatMap((f) => Array.from(f.rows)).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: N }, (_, q) => q));
    result.folds.forEach((f, i) => expect(Array.from(f.rows).every((q) => FOLD[q] === i)).toBe(true));
    // Each query's fused list is the one at its fold's W.
    for (const q of [0, 1, 2, 3, 4, 5, 24]) {
      const w = byFold[FOLD[q]];
      const alone = prepared.fuse([w, 1 - w]);
      const at = (r: Rankings) => Array.from(r.docs.subarray(r.offsets[q], r.offsets[q + 1]));
      expect(at(result.rankings), `query ${q}`).toEqual(at(alone));
    }
  });

  it('keeps the curve over all queries (in-sample) beside, for the plot', async () => {
    const { result } = await crossValidate(kindsByFold());
    expect(result.curve.map((c) => c.weight)).toEqual(WEIGHT_GRID);
    expect(result.curve.map((c) => c.value)).toEqual(WEIGHT_GRID.map((w) => (w < 0.5 ? 12 / 25 : w > 0.5 ? 13 / 25 : 0)));
    expect(result.weight).toBe(0.55);
  });

  it("does not let a fold's own judgments move its weight", async () => {
    // Fold 0's queries turned from A to B: fold 0 trains on the same folds, so it keeps 0.45; the other folds move.
    const { result } = await crossValidate(kindsByFold('B'));
    expect(result.folds[0].weight).toBe(0.45);
    expect(result.folds[0].value).toBe(1);
    expect(result.folds.slice(1).map((f) => f.weight)).toEqual([0.45, 0.45, 0.45, 0.45]);
  });

  it('needs two queries at least', async () => {
    const { a, b } = twoKindsOfQueries(['A']);
    const prepared = new PreparedFusion([a, b], { method: { name: 'wsum', weights: null }, normalization: 'min-max', depth: 100 });
    await expect(crossValidatedWeight(prepared, { queryRows: Int32Array.of(0), criterion: topHit(Int32Array.of(0)), seed: 1 })).rejects.toThrow(/at least 2 evaluated queries/);
  });
});
