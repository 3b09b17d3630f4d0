/** Cosine between row i of `a` and row i of `b`, for every row (norms taken, so rows need not be unit). */
export function rowCosines(a: Float32Array, b: Float32Array, dim: number): Float64Array {
  if (a.length !== b.length) throw new RangeError(`row cosines: ${a.length / dim} rows against ${b.length / dim}`);
  const out = new Float64Array(a.length / dim);
  for (let r = 0; r < out.length; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = r * dim, end = j + dim; j < end; j++) {
      dot += a[j] * b[j];
      na += a[j] * a[j];
      nb += b[j] * b[j];
    }
    out[r] = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : NaN;
  }
  return out;
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
