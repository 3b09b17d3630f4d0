import { describe, expect, it } from 'vitest';
import { randomLabelledCase } from '../../../tests/fixtures/random.ts';
import { mulberry32 } from '../metrics/random.ts';
import { alignment, anisotropy, uniformity } from './geometry.ts';
import { embeddingHealth } from './health.ts';
import { cpuDiagnosticKernels, type DiagnosticKernels } from './kernels.ts';
import { labelled } from './labelled.ts';
import { labelStructure } from './labelStructure.ts';
import { neighborCoherence } from './neighborCoherence.ts';
import { seededSample } from './sample.ts';
import { centroidSeparation, daviesBouldin } from './separation.ts';

/** Random labelled data with some structure (see `randomLabelledCase`), labels as names. */
function randomLabelled(seed: number, count: number, dim: number, labelCount: number) {
  const { vectors, labelOf } = randomLabelledCase(seed, count, dim, labelCount);
  return { vectors, labels: Array.from(labelOf, (l) => `c${l}`), dim };
}

/** The CPU kernels with a small exact limit, so that sampling is exercised on small data. */
const sampling = (exactLimit: number): DiagnosticKernels => ({ ...cpuDiagnosticKernels, exactLimit });

/** Float64 unit rows and cosine distance: the reference side, written independently of the implementations. */
function reference(vectors: Float32Array, dim: number) {
  const n = vectors.length / dim;
  const rows = Array.from({ length: n }, (_, i) => {
    const row = Array.from(vectors.subarray(i * dim, (i + 1) * dim), Number);
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  });
  const cos = (a: number[], b: number[]) => a.reduce((s, v, j) => s + v * b[j], 0);
  return { rows, cos, distance: (i: number, j: number) => 1 - cos(rows[i], rows[j]) };
}

// Tolerances of 5e-8: the implementations normalise rows in float32, the references in float64.
describe('silhouette (cosine), against a float64 transcription of sklearn', () => {
  it.each([[1, 61, 5, 3], [2, 97, 17, 4], [3, 40, 8, 2]])('seed %i: %i points, %i dims, %i labels', async (seed, count, dim, labelCount) => {
    const { vectors, labels } = randomLabelled(seed, count, dim, labelCount);
    const s = referenceSilhouettes(vectors, dim, labels);
    const result = (await labelStructure(labelled(vectors, dim, labels), cpuDiagnosticKernels)).silhouette;
    expect(result.points).toBe(count);
    expect(result.standardError).toBeNull();
    expect(result.score).toBeCloseTo(s.reduce((x, y) => x + y, 0) / s.length, 7);
    for (const label of new Set(labels)) {
      const own = s.filter((_, i) => labels[i] === label);
      expect(result.perLabel[label]).toBeCloseTo(own.reduce((x, y) => x + y, 0) / own.length, 7);
    }
  });

  it('above the exact limit, is the silhouette of the seeded sample, with its standard error', async () => {
    const { vectors, labels, dim } = randomLabelled(11, 300, 9, 4);
    const result = await labelStructure(labelled(vectors, dim, labels), sampling(120), 77);
    expect(result.sampleSeed).toBe(77);
    const rows = Array.from(seededSample(300, 120, 77));
    const s = referenceSilhouettes(
      Float32Array.from(rows.flatMap((r) => Array.from(vectors.subarray(r * dim, (r + 1) * dim)))),
      dim,
      rows.map((r) => labels[r]),
    );
    const mean = s.reduce((x, y) => x + y, 0) / s.length;
    const sd = Math.sqrt(s.reduce((t, v) => t + (v - mean) ** 2, 0) / (s.length - 1));
    expect(result.silhouette.points).toBe(120);
    expect(result.silhouette.score).toBeCloseTo(mean, 7);
    expect(result.silhouette.standardError).toBeCloseTo(sd / Math.sqrt(120), 7);
    // The estimate lands near the exact value.
    const exact = await labelStructure(labelled(vectors, dim, labels), cpuDiagnosticKernels);
    expect(Math.abs(result.silhouette.score - exact.silhouette.score)).toBeLessThan(4 * result.silhouette.standardError!);
  });

  it('is 1 for two tight, opposite clusters and 0 for a point alone in its label', async () => {
    const vectors = Float32Array.from([1, 0, 1, 0.001, -1, 0, -1, -0.001, 0, 1]);
    const { silhouette: result } = await labelStructure(labelled(vectors, 2, ['a', 'a', 'b', 'b', 'c']), cpuDiagnosticKernels);
    expect(result.perLabel.a).toBeGreaterThan(0.99);
    expect(result.perLabel.c).toBe(0);
  });
});

/** sklearn's silhouette_samples, transcribed in float64 over all pairs. */
function referenceSilhouettes(vectors: Float32Array, dim: number, labels: string[]): number[] {
  const { distance } = reference(vectors, dim);
  return labels.map((own, i) => {
      const same = labels.map((l, j) => (l === own && j !== i ? distance(i, j) : null)).filter((d): d is number => d !== null);
      if (same.length === 0) return 0;
      const a = same.reduce((x, y) => x + y, 0) / same.length;
      const b = Math.min(
        ...[...new Set(labels)].filter((l) => l !== own).map((l) => {
          const ds = labels.map((m, j) => (m === l ? distance(i, j) : null)).filter((d): d is number => d !== null);
          return ds.reduce((x, y) => x + y, 0) / ds.length;
        }),
      );
      return (b - a) / Math.max(a, b);
  });
}

describe('neighbour coherence', () => {
  const referenceShares = (vectors: Float32Array, dim: number, labels: string[], k: number) => {
    const { distance } = reference(vectors, dim);
    return labels.map((own, i) => {
      const neighbours = labels.map((_, j) => j).filter((j) => j !== i).sort((x, y) => distance(i, x) - distance(i, y) || x - y).slice(0, k);
      return neighbours.filter((j) => labels[j] === own).length / k;
    });
  };

  it('matches a full-sort reference on random labelled data, with the chance baseline', async () => {
    const { vectors, labels, dim } = randomLabelled(4, 83, 6, 4);
    const per = referenceShares(vectors, dim, labels, 10);
    const result = await neighborCoherence(labelled(vectors, dim, labels), cpuDiagnosticKernels, 10);
    expect(result.mean).toBeCloseTo(per.reduce((a, b) => a + b, 0) / per.length, 12);
    expect(result.standardError).toBeNull();
    const shares = [...new Set(labels)].map((l) => labels.filter((m) => m === l).length / labels.length);
    expect(result.chance).toBeCloseTo(shares.reduce((s, p) => s + p * p, 0), 12);
    for (const label of new Set(labels)) {
      const own = per.filter((_, i) => labels[i] === label);
      expect(result.perLabel[label]).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 12);
    }
  });

  it('above the exact limit, scores a seeded sample of points against all points', async () => {
    const { vectors, labels, dim } = randomLabelled(12, 200, 7, 3);
    const per = referenceShares(vectors, dim, labels, 5);
    const rows = Array.from(seededSample(200, 64, 5));
    const result = await neighborCoherence(labelled(vectors, dim, labels), sampling(64), 5, 5);
    expect(result.points).toBe(64);
    const mean = rows.reduce((s, r) => s + per[r], 0) / rows.length;
    expect(result.mean).toBeCloseTo(mean, 12);
    const sd = Math.sqrt(rows.reduce((t, r) => t + (per[r] - mean) ** 2, 0) / (rows.length - 1));
    expect(result.standardError).toBeCloseTo(sd / 8, 12);
  });
});

describe('separation and Davies–Bouldin', () => {
  it('match float64 references', async () => {
    const { vectors, labels, dim } = randomLabelled(5, 50, 7, 3);
    const { rows, distance } = reference(vectors, dim);
    let inter = 0, ni = 0, intra = 0, na = 0;
    for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) {
      if (labels[i] === labels[j]) { intra += distance(i, j); na++; } else { inter += distance(i, j); ni++; }
    }
    const { separationRatio } = await labelStructure(labelled(vectors, dim, labels), cpuDiagnosticKernels);
    expect(separationRatio).toBeCloseTo(inter / ni / (intra / na), 7);

    const names = [...new Set(labels)];
    const centroid = (l: string) => {
      const members = rows.filter((_, i) => labels[i] === l);
      return members[0].map((_, j) => members.reduce((s, r) => s + r[j], 0) / members.length);
    };
    const euclid = (a: number[], b: number[]) => Math.hypot(...a.map((v, j) => v - b[j]));
    const scatter = (l: string) => {
      const c = centroid(l);
      const members = rows.filter((_, i) => labels[i] === l);
      return members.reduce((s, r) => s + euclid(r, c), 0) / members.length;
    };
    const cosineDistance = (a: number[], b: number[]) => 1 - a.reduce((t, v, j) => t + v * b[j], 0) / Math.hypot(...a) / Math.hypot(...b);
    const betweenPairs = names.flatMap((a, i) => names.slice(i + 1).map((b) => cosineDistance(centroid(a), centroid(b))));
    const spread = rows.reduce((t, r, i) => t + cosineDistance(centroid(labels[i]), r), 0) / rows.length;
    expect(centroidSeparation(labelled(vectors, dim, labels))).toBeCloseTo(betweenPairs.reduce((a, b) => a + b, 0) / betweenPairs.length / spread, 7);
    const db = names.reduce((total, a) => total + Math.max(...names.filter((b) => b !== a).map((b) => (scatter(a) + scatter(b)) / euclid(centroid(a), centroid(b)))), 0) / names.length;
    expect(daviesBouldin(labelled(vectors, dim, labels))).toBeCloseTo(db, 6);
  });
});

describe('alignment, uniformity, anisotropy', () => {
  it('match pairwise float64 references', () => {
    const { vectors, dim } = randomLabelled(6, 30, 5, 2);
    const { rows, cos } = reference(vectors, dim);
    const n = rows.length;
    let cosSum = 0, expSum = 0, pairs = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      cosSum += cos(rows[i], rows[j]);
      expSum += Math.exp(-2 * (2 - 2 * cos(rows[i], rows[j])));
      pairs++;
    }
    const a = anisotropy(vectors, dim);
    expect(a.meanPairwiseCosine).toBeCloseTo(cosSum / pairs, 6);
    const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
    expect(a.meanVectorNorm).toBeCloseTo(Math.hypot(...mean), 6);
    expect(uniformity(vectors, dim)).toBeCloseTo(Math.log(expSum / pairs), 6);
    const half = (n / 2) * dim;
    const left = vectors.slice(0, half);
    const right = vectors.slice(half);
    const expected = rows.slice(0, n / 2).reduce((s, r, p) => s + r.reduce((t, v, j) => t + (v - rows[n / 2 + p][j]) ** 2, 0), 0) / (n / 2);
    expect(alignment(left, right, dim)).toBeCloseTo(expected, 6);
  });
});

describe('embedding health', () => {
  it('counts NaN, Inf, zero-norm and duplicate rows and reports norms', () => {
    const vectors = Float32Array.from([3, 4, /**/ NaN, 1, /**/ 0, 0, /**/ 3, 4, /**/ Infinity, 0, /**/ 1, 0]);
    expect(embeddingHealth(vectors, 2)).toEqual({
      count: 6,
      dim: 2,
      nanComponents: 1,
      infComponents: 1,
      zeroNormVectors: 1,
      duplicateVectors: 1,
      norm: { min: 0, mean: (5 + 0 + 5 + 1) / 4, max: 5 },
    });
  });
});

describe('effective rank', () => {
  it('recovers chosen singular values through a random rotation', async () => {
    const { effectiveRank } = await import('./effectiveRank.ts');
    // X = S Vᵀ with orthonormal rows of V: rows are σᵢ vᵢ, so the singular values of X are the σᵢ… of the
    // unit rows, i.e. 1 each; give some rows twice so the σ differ: σ = √(copies).
    const dim = 6;
    const random = mulberry32(9);
    const basis: number[][] = [];
    while (basis.length < dim) {
      let v = Array.from({ length: dim }, () => random() * 2 - 1);
      for (const b of basis) {
        const d = v.reduce((s, x, j) => s + x * b[j], 0);
        v = v.map((x, j) => x - d * b[j]);
      }
      const norm = Math.hypot(...v);
      basis.push(v.map((x) => x / norm));
    }
    const copies = [4, 1, 1, 9, 0, 0];
    const rows = copies.flatMap((n, i) => Array.from({ length: n }, () => basis[i]));
    const { effectiveRank: rank, singularValues } = effectiveRank(Float32Array.from(rows.flat()), dim);
    expect(Array.from(singularValues).map((s) => Number(s.toFixed(5)))).toEqual([3, 2, 1, 1, 0, 0]);
    const p = [3, 2, 1, 1].map((s) => s / 7);
    expect(rank).toBeCloseTo(Math.exp(-p.reduce((h, x) => h + x * Math.log(x), 0)), 5);
  });

  it('is 1 when every row points the same way', async () => {
    const { effectiveRank } = await import('./effectiveRank.ts');
    expect(effectiveRank(Float32Array.from([1, 2, 3, 2, 4, 6, -0.5, -1, -1.5]), 3).effectiveRank).toBeCloseTo(1, 6);
  });
});

describe('score distributions and triplets', () => {
  it('computes the gap and ROC-AUC with ties counted half, against pairwise counting', async () => {
    const { scoreDistribution } = await import('./scoreDistribution.ts');
    const pos = [0.9, 0.8, 0.5, 0.5];
    const neg = [0.5, 0.4, 0.85, 0.1, 0.5];
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    const result = scoreDistribution(pos, neg);
    expect(result.rocAuc).toBeCloseTo(wins / (pos.length * neg.length), 12);
    expect(result.gap).toBeCloseTo(0.675 - 0.47, 12);
  });

  it('counts a triplet as correct only when the positive scores strictly higher', async () => {
    const { tripletAccuracy } = await import('./scoreDistribution.ts');
    expect(tripletAccuracy([0.9, 0.5, 0.2], [0.1, 0.5, 0.3])).toBeCloseTo(1 / 3, 12);
  });
});
