/**
 * Label-free geometry of an embedding set (Wang & Isola 2020, and the anisotropy measures of Ethayarajh 2019),
 * on L2-normalised copies of the rows.
 */

import { forEachBlock, type DocumentRows } from '../vectors/documentRows.ts';

function unitRows(vectors: Float32Array, dim: number): Float64Array {
  const out = Float64Array.from(vectors);
  for (let i = 0; i < out.length; i += dim) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += out[i + j] ** 2;
    const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[i + j] *= inverse;
  }
  return out;
}

/** Alignment: E‖f(x) − f(y)‖₂^α over positive pairs (query, relevant document); lower is better. */
export function alignment(a: Float32Array, b: Float32Array, dim: number, alpha = 2): number {
  if (a.length !== b.length) throw new RangeError('alignment needs one row of b per row of a');
  const ua = unitRows(a, dim);
  const ub = unitRows(b, dim);
  const pairs = a.length / dim;
  let sum = 0;
  for (let p = 0; p < pairs; p++) {
    let d = 0;
    for (let j = 0; j < dim; j++) d += (ua[p * dim + j] - ub[p * dim + j]) ** 2;
    sum += Math.sqrt(d) ** alpha;
  }
  return sum / pairs;
}

/** Uniformity: log E exp(−t‖f(x) − f(y)‖²) over distinct pairs; lower (more negative) is more uniform. */
export function uniformity(vectors: Float32Array, dim: number, t = 2): number {
  const u = unitRows(vectors, dim);
  const n = vectors.length / dim;
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += u[i * dim + j] * u[k * dim + j];
      // ‖x − y‖² = 2 − 2 x·y for unit vectors.
      sum += Math.exp(-t * (2 - 2 * dot));
      pairs++;
    }
  }
  return Math.log(sum / pairs);
}

export interface Anisotropy {
  /** Mean cosine over distinct pairs: near 0 for isotropic embeddings, near 1 for a narrow cone. */
  meanPairwiseCosine: number;
  /** ‖mean of the unit rows‖. */
  meanVectorNorm: number;
}

/** Both from the sum of unit rows: Σ_{i≠j} xᵢ·xⱼ = ‖Σx‖² − Σ‖x‖², so no pairwise loop is needed. */
export function anisotropy(vectors: DocumentRows, dim: number): Anisotropy {
  // Normalised row by row, in float64, without a copy of the whole set (a million rows is 3 GB in float64).
  const n = vectors.length / dim;
  const total = new Float64Array(dim);
  let squaredNorms = 0;
  forEachBlock(vectors, dim, (block) => {
    for (let i = 0; i < block.length / dim; i++) {
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += block[i * dim + j] ** 2;
      const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < dim; j++) {
        const u = block[i * dim + j] * inverse;
        total[j] += u;
        squaredNorms += u * u;
      }
    }
  });
  const sumNorm2 = total.reduce((s, v) => s + v * v, 0);
  return {
    meanPairwiseCosine: n > 1 ? (sumNorm2 - squaredNorms) / (n * (n - 1)) : NaN,
    meanVectorNorm: Math.sqrt(sumNorm2) / n,
  };
}
