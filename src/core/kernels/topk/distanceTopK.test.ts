import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../tests/fixtures/random.ts';
import { distanceTopK, type Distance } from './distanceTopK.ts';

/** Float64 reference: every document's negated distance, sorted by (score desc, index asc). */
function reference(queries: Float32Array, docs: Float32Array, dim: number, k: number, distance: Distance) {
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  return Array.from({ length: queryCount }, (_, q) =>
    Array.from({ length: docCount }, (_, d) => {
      let sum = 0;
      for (let j = 0; j < dim; j++) {
        const diff = queries[q * dim + j] - docs[d * dim + j];
        sum += distance === 'euclidean' ? diff * diff : Math.abs(diff);
      }
      return { d, s: distance === 'euclidean' ? -Math.sqrt(sum) : -sum };
    })
      .sort((a, b) => b.s - a.s || a.d - b.d)
      .slice(0, Math.min(k, docCount)),
  );
}

describe('distanceTopK (euclidean / manhattan similarity, as sentence-transformers scores them)', () => {
  it.each<[Distance, number, number, number, number]>([
    ['euclidean', 7, 301, 13, 10],
    ['manhattan', 5, 97, 33, 7],
    ['euclidean', 3, 4, 5, 10],
  ])('%s: %i queries × %i docs × %i dims, k %i equals the float64 reference', (distance, queryCount, docCount, dim, k) => {
    const random = mulberry32(queryCount * 1000 + docCount);
    // Not unit rows: these models are compared on the vectors as they come.
    const queries = Float32Array.from({ length: queryCount * dim }, () => (random() * 2 - 1) * 3);
    const docs = Float32Array.from({ length: docCount * dim }, () => (random() * 2 - 1) * 3);
    const result = distanceTopK({ queries, docs, dim, k }, distance);
    const expected = reference(queries, docs, dim, k, distance);
    expect(result.k).toBe(Math.min(k, docCount));
    expected.forEach((row, q) => {
      expect(Array.from(result.indices.subarray(q * result.k, (q + 1) * result.k))).toEqual(row.map((e) => e.d));
      row.forEach((e, r) => expect(result.exactScores![q * result.k + r]).toBe(e.s));
    });
  });

  it('breaks ties by the lower document row', () => {
    const docs = Float32Array.of(1, 0, 0, 1, 1, 0);
    const result = distanceTopK({ queries: Float32Array.of(1, 0), docs, dim: 2, k: 3 }, 'manhattan');
    expect(Array.from(result.indices)).toEqual([0, 2, 1]);
  });
});
