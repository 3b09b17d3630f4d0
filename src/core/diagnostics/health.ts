/** What can be wrong with embeddings before any metric is trusted. */
export interface EmbeddingHealth {
  count: number;
  dim: number;
  nanComponents: number;
  infComponents: number;
  zeroNormVectors: number;
  /** Rows equal, bit for bit, to an earlier row. */
  duplicateVectors: number;
  /** Norms as produced (before any normalisation the lab applies), over the rows whose norm is finite. */
  norm: { min: number; mean: number; max: number };
}

export function embeddingHealth(vectors: Float32Array, dim: number): EmbeddingHealth {
  const count = vectors.length / dim;
  let nan = 0;
  let inf = 0;
  let zero = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  const seen = new Set<string>();
  let duplicates = 0;
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  for (let i = 0; i < count; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = vectors[i * dim + j];
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) inf++;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (norm === 0) zero++;
    if (Number.isFinite(norm)) {
      min = Math.min(min, norm);
      max = Math.max(max, norm);
      sum += norm;
      finite++;
    }
    // The row's bytes as the key: exact duplicates only, NaN payloads included.
    const key = String.fromCharCode(...bytes.subarray(i * dim * 4, (i + 1) * dim * 4));
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return { count, dim, nanComponents: nan, infComponents: inf, zeroNormVectors: zero, duplicateVectors: duplicates, norm: { min, mean: finite ? sum / finite : NaN, max } };
}
