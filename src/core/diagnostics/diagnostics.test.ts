import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../metrics/random.ts';
import { alignment, anisotropy, uniformity } from './geometry.ts';
import { embeddingHealth } from './health.ts';
import { labelled } from './labelled.ts';
import { neighborCoherence } from './neighborCoherence.ts';
import { daviesBouldin, separationRatio } from './separation.ts';
import { silhouette } from './silhouette.ts';

/** Random labelled data with some structure: each label has its own centre, points scattered around it. */
function randomLabelled(seed: number, count: number, dim: number, labelCount: number) {
  const random = mulberry32(seed);
  const centres = Array.from({ length: labelCount }, () => Array.from({ length: dim }, () => random() * 2 - 1));
  const labels = Array.from({ length: count }, (_, i) => `c${(i * 7) % labelCount}`);
  const vectors = Float32Array.from({ length: count * dim }, (_, k) => {
    const i = Math.floor(k / dim);
    return centres[Number(labels[i].slice(1))][k % dim] + (random() * 2 - 1) * 0.8;
  });
  return { vectors, labels, dim };
}

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

describe('silhouette (cosine), against a float64 transcription of sklearn', () => {
  it.each([[1, 61, 5, 3], [2, 97, 17, 4], [3, 40, 8, 2]])('seed %i: %i points, %i dims, %i labels', (seed, count, dim, labelCount) => {
    const { vectors, labels } = randomLabelled(seed, count, dim, labelCount);
    const { distance } = reference(vectors, dim);
    const s = labels.map((own, i) => {
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
    const result = silhouette(labelled(vectors, dim, labels));
    expect(result.score).toBeCloseTo(s.reduce((x, y) => x + y, 0) / s.length, 6);
    for (const label of new Set(labels)) {
      const own = s.filter((_, i) => labels[i] === label);
      expect(result.perLabel[label]).toBeCloseTo(own.reduce((x, y) => x + y, 0) / own.length, 6);
    }
  });

  it('is 1 for two tight, opposite clusters and 0 for a point alone in its label', () => {
    const vectors = Float32Array.from([1, 0, 1, 0.001, -1, 0, -1, -0.001, 0, 1]);
    const result = silhouette(labelled(vectors, 2, ['a', 'a', 'b', 'b', 'c']));
    expect(result.perLabel.a).toBeGreaterThan(0.99);
    expect(result.perLabel.c).toBe(0);
  });
});

describe('neighbour coherence', () => {
  it('matches a full-sort reference on random labelled data, with the chance baseline', () => {
    const { vectors, labels, dim } = randomLabelled(4, 83, 6, 4);
    const { distance } = reference(vectors, dim);
    const k = 10;
    const per = labels.map((own, i) => {
      const neighbours = labels.map((_, j) => j).filter((j) => j !== i).sort((x, y) => distance(i, x) - distance(i, y) || x - y).slice(0, k);
      return neighbours.filter((j) => labels[j] === own).length / k;
    });
    const result = neighborCoherence(labelled(vectors, dim, labels), k);
    expect(result.mean).toBeCloseTo(per.reduce((a, b) => a + b, 0) / per.length, 12);
    const shares = [...new Set(labels)].map((l) => labels.filter((m) => m === l).length / labels.length);
    expect(result.chance).toBeCloseTo(shares.reduce((s, p) => s + p * p, 0), 12);
  });
});

describe('separation and Davies–Bouldin', () => {
  it('match float64 references', () => {
    const { vectors, labels, dim } = randomLabelled(5, 50, 7, 3);
    const { rows, distance } = reference(vectors, dim);
    let inter = 0, ni = 0, intra = 0, na = 0;
    for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) {
      if (labels[i] === labels[j]) { intra += distance(i, j); na++; } else { inter += distance(i, j); ni++; }
    }
    const result = separationRatio(labelled(vectors, dim, labels));
    expect(result.pairwise).toBeCloseTo(inter / ni / (intra / na), 6);

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
