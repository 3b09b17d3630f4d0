/**
 * Where given documents stand in one query's complete cosine ranking, without sorting every document.
 * The order is the top-k kernels' (score descending, then lower row), and each score is summed exactly as
 * the CPU kernel sums it — float64, component by component — so a document inside the kernel's top k gets
 * the rank it has there.
 */

/** Dot product of row `a` of `left` and row `b` of `right`, in float64 (a cosine for unit rows). */
export function rowDot(left: Float32Array, a: number, right: Float32Array, b: number, dim: number): number {
  let sum = 0;
  const ia = a * dim;
  const ib = b * dim;
  for (let j = 0; j < dim; j++) sum += left[ia + j] * right[ib + j];
  // A NaN (a broken embedding) ranks last, as in the kernels.
  return sum === sum ? sum : -Infinity;
}

/**
 * The 1-based rank each document row in `targets` has when query row `query` of `unitQueries` ranks every
 * row of `unitDocs`: one pass over the documents, O(documents × dim + documents × targets).
 */
export function fullRanks(unitQueries: Float32Array, query: number, unitDocs: Float32Array, dim: number, targets: ArrayLike<number>): Int32Array {
  const count = unitDocs.length / dim;
  const scores = Float64Array.from(targets, (doc) => rowDot(unitQueries, query, unitDocs, doc, dim));
  const ahead = new Int32Array(targets.length);
  for (let d = 0; d < count; d++) {
    const score = rowDot(unitQueries, query, unitDocs, d, dim);
    for (let t = 0; t < targets.length; t++) {
      if (score > scores[t] || (score === scores[t] && d < targets[t])) ahead[t]++;
    }
  }
  return ahead.map((n) => n + 1);
}
