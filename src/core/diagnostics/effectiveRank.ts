/**
 * Effective rank (Roy & Vetterli 2007) of the embedding matrix X (rows L2-normalised, not centred):
 * exp(H(p)) with pᵢ = σᵢ / Σσⱼ over the singular values of X. It says how many directions the embeddings
 * really use: d for a spread-out set, near 1 when everything collapses onto one direction.
 */
export function effectiveRank(vectors: Float32Array, dim: number): { effectiveRank: number; singularValues: Float64Array } {
  const n = vectors.length / dim;
  // σᵢ² are the eigenvalues of the d × d Gram matrix XᵀX, accumulated in float64.
  const gram = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += vectors[i * dim + j] ** 2;
    const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) row[j] = vectors[i * dim + j] * inverse;
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) gram[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) gram[a * dim + b] = gram[b * dim + a];
  const eigenvalues = symmetricEigenvalues(gram, dim);
  const singularValues = Float64Array.from(eigenvalues, (e) => Math.sqrt(Math.max(e, 0))).sort().reverse();
  const total = singularValues.reduce((s, v) => s + v, 0);
  let entropy = 0;
  for (const s of singularValues) {
    const p = s / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return { effectiveRank: total > 0 ? Math.exp(entropy) : 0, singularValues };
}

/**
 * Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan §8.5): slow for large d but
 * exact to rounding and dependency-free; d = 384 takes about a second.
 */
function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const a = matrix.slice();
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let p = 0; p < n; p++) {
      diagonal += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= 1e-30 * Math.max(diagonal, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]);
}
