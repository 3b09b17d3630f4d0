import { mulberry32 } from '../metrics/random.ts';

export interface KMeansResult {
  k: number;
  seed: number;
  labelOf: Int32Array;
  iterations: number;
  /** Whether assignments stopped changing before the iteration cap. */
  converged: boolean;
  /** `[k × dim]` unit centroids. */
  centroids: Float64Array;
}

/**
 * Spherical k-means (cosine) on unit rows, for diagnostics when the data has no labels: k-means++ seeding
 * from a seeded generator, then Lloyd iterations (assign to the most similar centroid, ties to the lower
 * index; centroid = normalised mean) until no assignment changes. An emptied cluster is re-seeded with the
 * point least similar to its own centroid, so k clusters always come back.
 */
export function sphericalKMeans(unitVectors: Float32Array, dim: number, k: number, seed: number, maxIterations = 100): KMeansResult {
  const n = unitVectors.length / dim;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k-means: k must be between 1 and the ${n} points, got ${k}`);
  const random = mulberry32(seed);
  const centroids = new Float64Array(k * dim);
  const similarity = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += unitVectors[i * dim + j] * centroids[c * dim + j];
    return s;
  };
  const setCentroid = (c: number, i: number) => {
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = unitVectors[i * dim + j];
  };

  // k-means++: the next centre is drawn with probability ∝ squared distance to the nearest centre so far.
  setCentroid(0, Math.floor(random() * n));
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d2 = Math.max(0, 2 - 2 * similarity(i, c - 1)); // ‖x − c‖² on the unit sphere
      nearest[i] = Math.min(nearest[i], d2);
      total += nearest[i];
    }
    let u = random() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= nearest[i];
      if (u < 0) {
        pick = i;
        break;
      }
    }
    setCentroid(c, pick);
  }

  const labelOf = new Int32Array(n).fill(-1);
  const best = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let bestC = 0;
      let bestS = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = similarity(i, c);
        if (s > bestS) {
          bestS = s;
          bestC = c;
        }
      }
      best[i] = bestS;
      if (labelOf[i] !== bestC) {
        labelOf[i] = bestC;
        changed++;
      }
    }
    if (changed === 0) {
      converged = true;
      break;
    }
    centroids.fill(0);
    const sizes = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      sizes[labelOf[i]]++;
      for (let j = 0; j < dim; j++) centroids[labelOf[i] * dim + j] += unitVectors[i * dim + j];
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        let worst = 0;
        for (let i = 1; i < n; i++) if (best[i] < best[worst]) worst = i;
        setCentroid(c, worst);
        best[worst] = Infinity; // not picked twice
        continue;
      }
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += centroids[c * dim + j] ** 2;
      norm = Math.sqrt(norm);
      if (norm > 0) for (let j = 0; j < dim; j++) centroids[c * dim + j] /= norm;
    }
  }
  return { k, seed, labelOf, iterations, converged, centroids };
}

/** The k the lab uses when the user states none: √(n / 2), between 2 and 50. */
export function defaultClusterCount(points: number): number {
  return Math.max(2, Math.min(50, Math.round(Math.sqrt(points / 2))));
}
