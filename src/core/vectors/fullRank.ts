import { float16Table } from './float16.ts';
import { forEachBlock, isHalfRows, type DocumentRows } from './documentRows.ts';

/**
 * Where given documents stand in one query's complete cosine ranking, without sorting every document.
 * The order is the top-k kernels' (score descending, then lower row), and each score is summed exactly as
 * the CPU kernel sums it — float64, component by component — so a document inside the kernel's top k gets
 * the rank it has there.
 */

/**
 * Dot product of row `a` of `left` and row `b` of `right`, in float64 (a cosine for unit rows). A float16
 * row is decoded value by value, each to the float32 its block would hold.
 */
export function rowDot(left: Float32Array, a: number, right: DocumentRows, b: number, dim: number): number {
  let sum = 0;
  const ia = a * dim;
  const ib = b * dim;
  if (isHalfRows(right)) {
    const table = float16Table();
    const inverse = right.inverseNorms ? right.inverseNorms[b] : 1;
    for (let j = 0; j < dim; j++) sum += left[ia + j] * Math.fround(table[right.half[ib + j]] * inverse);
  } else {
    for (let j = 0; j < dim; j++) sum += left[ia + j] * right[ib + j];
  }
  // A NaN (a broken embedding) ranks last, as in the kernels.
  return sum === sum ? sum : -Infinity;
}

/**
 * The 1-based rank each document row in `targets` has when query row `query` of `unitQueries` ranks every
 * row of `unitDocs`: one pass over the documents, O(documents × dim + documents × targets).
 */
export function fullRanks(unitQueries: Float32Array, query: number, unitDocs: DocumentRows, dim: number, targets: ArrayLike<number>): Int32Array {
  return fullRanksOf(unitQueries, [query], unitDocs, dim, [targets])[0];
}

/**
 * {@link fullRanks} of several queries (`targets[i]` for query row `queries[i]`) in one pass over the
 * documents: float16 documents are decoded once for all of them, not once per query.
 */
export function fullRanksOf(unitQueries: Float32Array, queries: ArrayLike<number>, unitDocs: DocumentRows, dim: number, targets: readonly ArrayLike<number>[]): Int32Array[] {
  const scores = Array.from(targets, (wanted, i) => Float64Array.from(wanted, (doc) => rowDot(unitQueries, queries[i], unitDocs, doc, dim)));
  const ahead = Array.from(targets, (wanted) => new Int32Array(wanted.length));
  forEachBlock(unitDocs, dim, (block, first) => {
    for (let i = 0; i < queries.length; i++) {
      const [wanted, above, query] = [targets[i], ahead[i], scores[i]];
      if (wanted.length === 0) continue;
      for (let row = 0; row < block.length / dim; row++) {
        const d = first + row;
        const score = rowDot(unitQueries, queries[i], block, row, dim);
        for (let t = 0; t < wanted.length; t++) {
          if (score > query[t] || (score === query[t] && d < wanted[t])) above[t]++;
        }
      }
    }
  });
  return ahead.map((above) => above.map((n) => n + 1));
}
