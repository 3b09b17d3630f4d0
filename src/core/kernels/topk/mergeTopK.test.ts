import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../metrics/random.ts';
import { mergeTopK } from './mergeTopK.ts';
import type { TopKResult } from './topk.types.ts';

/** Each query's best `k` of `scores[q]` (rows `offset`…), sorted as the kernels sort: score desc (NaN last), lower row first. */
function referenceTopK(scores: number[][], k: number, offset = 0): TopKResult {
  const kept = Math.min(k, scores[0]?.length ?? 0);
  const indices = new Int32Array(scores.length * kept);
  const out = new Float32Array(scores.length * kept);
  scores.forEach((row, q) => {
    const order = row
      .map((score, doc) => ({ score, doc: doc + offset }))
      .sort((x, y) => (x.score === y.score || (x.score !== x.score && y.score !== y.score) ? x.doc - y.doc : x.score !== x.score ? 1 : y.score !== y.score ? -1 : y.score - x.score));
    order.slice(0, kept).forEach((entry, i) => {
      indices[q * kept + i] = entry.doc;
      out[q * kept + i] = entry.score;
    });
  });
  return { queryCount: scores.length, k: kept, indices, scores: out };
}

describe('mergeTopK', () => {
  it('merges two blocks of rows into the top-k over both, ties to the lower row and NaN last, on fresh seeds', () => {
    for (let round = 0; round < 50; round++) {
      const seed = (Date.now() + round) >>> 0;
      const random = mulberry32(seed);
      const queries = 1 + Math.floor(random() * 4);
      const [first, second] = [1 + Math.floor(random() * 9), 1 + Math.floor(random() * 9)];
      const k = 1 + Math.floor(random() * 12);
      // Few distinct values, so ties across the two blocks are common; now and then a NaN (a broken row).
      const value = () => (random() < 0.1 ? NaN : Math.floor(random() * 5) / 4);
      const scores = Array.from({ length: queries }, () => Array.from({ length: first + second }, value));
      const merged = mergeTopK(
        referenceTopK(scores.map((row) => row.slice(0, first)), k),
        referenceTopK(scores.map((row) => row.slice(first)), k, first),
        k,
      );
      const expected = referenceTopK(scores, k);
      expect({ seed, k: merged.k, indices: Array.from(merged.indices) }).toEqual({ seed, k: expected.k, indices: Array.from(expected.indices) });
      expect(Array.from(merged.scores), `seed ${seed}`).toEqual(Array.from(expected.scores));
    }
  });

  it('decides on the float64 scores when both lists keep them, on the float32 ones otherwise', () => {
    // Two scores equal in float32 but not in float64: only the exact ones put the later row first.
    const [low, high] = [0.5, 0.5 + 2 ** -30];
    const a: TopKResult = { queryCount: 1, k: 1, indices: Int32Array.of(0), scores: Float32Array.of(low), exactScores: Float64Array.of(low) };
    const b: TopKResult = { queryCount: 1, k: 1, indices: Int32Array.of(1), scores: Float32Array.of(high), exactScores: Float64Array.of(high) };
    expect(Array.from(mergeTopK(a, b, 2).indices)).toEqual([1, 0]);
    expect(mergeTopK(a, b, 2).exactScores).toEqual(Float64Array.of(high, low));
    const { exactScores: _, ...bFloat32 } = b;
    expect(Array.from(mergeTopK(a, bFloat32, 2).indices)).toEqual([0, 1]);
    expect(mergeTopK(a, bFloat32, 2).exactScores).toBeUndefined();
  });

  it('refuses lists of different query counts', () => {
    const one: TopKResult = { queryCount: 1, k: 1, indices: Int32Array.of(0), scores: Float32Array.of(1) };
    const two: TopKResult = { queryCount: 2, k: 1, indices: Int32Array.of(0, 0), scores: Float32Array.of(1, 1) };
    expect(() => mergeTopK(one, two, 1)).toThrow('top-k merge: 1 queries against 2');
  });
});
