/**
 * Cosine between row i of `a` and row i of `b`, for every row: the one row-cosine loop (the parity check of
 * imported vectors, the WebGPU/WASM agreement, the weights cell, `embedlab quantize`). Norms are taken, so
 * rows need not be unit, and a zero row has no cosine (NaN). With `unitRows` the rows are known to be unit
 * already and the cosine is their dot product alone (a zero row then scores 0, as the kernels score it).
 */
export function rowCosines(a: Float32Array, b: Float32Array, dim: number, { unitRows = false } = {}): Float64Array {
  if (a.length !== b.length) throw new RangeError(`row cosines: ${a.length / dim} rows against ${b.length / dim}`);
  const out = new Float64Array(a.length / dim);
  for (let r = 0; r < out.length; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    const end = (r + 1) * dim;
    if (unitRows) {
      for (let j = r * dim; j < end; j++) dot += a[j] * b[j];
      out[r] = dot;
      continue;
    }
    for (let j = r * dim; j < end; j++) {
      dot += a[j] * b[j];
      na += a[j] * a[j];
      nb += b[j] * b[j];
    }
    out[r] = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : NaN;
  }
  return out;
}

/** The largest absolute difference of any one component of `a` and `b` (NaN where a component is NaN). */
export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`max |Δ|: ${a.length} values against ${b.length}`);
  let max = 0;
  for (let j = 0; j < a.length; j++) max = Math.max(max, Math.abs(a[j] - b[j]));
  return max;
}

/** Smallest and mean of per-row cosines (a loop: a million rows would overflow `Math.min(...rows)`). */
export function cosineSummary(...parts: ArrayLike<number>[]): { min: number; mean: number } {
  let min = Infinity;
  let sum = 0;
  let count = 0;
  for (const cosines of parts) {
    for (let i = 0; i < cosines.length; i++) {
      min = Math.min(min, cosines[i]);
      sum += cosines[i];
    }
    count += cosines.length;
  }
  return count ? { min, mean: sum / count } : { min: NaN, mean: NaN };
}
