import { describe, expect, it } from 'vitest';
import { randomLabelledCase, randomUnitRows } from '../../../tests/fixtures/random.ts';
import { mulberry32 } from '../metrics/random.ts';
import { alignment } from './geometry.ts';
import { cpuDiagnosticKernels } from './kernels.ts';
import { sphericalKMeans } from './kmeans.ts';
import { labelled } from './labelled.ts';
import { labelStructure } from './labelStructure.ts';
import { diagnoseEmbeddings } from './modelDiagnostics.ts';
import { rocAuc } from './scoreDistribution.ts';

/** Whether two labellings are the same partition, whatever the label names. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((forward.get(a[i]) ?? b[i]) !== b[i] || (backward.get(b[i]) ?? a[i]) !== a[i]) return false;
    forward.set(a[i], b[i]);
    backward.set(b[i], a[i]);
  }
  return true;
}

describe('spherical k-means', () => {
  it('recovers well-separated planted clusters, the same way for the same seed', () => {
    const dim = 12;
    const random = mulberry32(3);
    const centres = randomUnitRows(5, dim, random);
    const planted = Int32Array.from({ length: 240 }, (_, i) => i % 5);
    const vectors = Float32Array.from({ length: 240 * dim }, (_, k) => centres[planted[Math.floor(k / dim)] * dim + (k % dim)] + (random() - 0.5) * 0.05);
    const unit = labelled(vectors, dim, Array.from(planted, String)).vectors;
    const result = sphericalKMeans(unit, dim, 5, 42);
    expect(result.converged).toBe(true);
    expect(samePartition(result.labelOf, planted)).toBe(true);
    expect(Array.from(sphericalKMeans(unit, dim, 5, 42).labelOf)).toEqual(Array.from(result.labelOf));
  });

  it('returns k non-empty clusters even when k-means++ picks duplicates', () => {
    const vectors = Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0, 1, -1, 0]);
    const result = sphericalKMeans(vectors, 2, 3, 1);
    expect(new Set(result.labelOf).size).toBe(3);
    expect(() => sphericalKMeans(vectors, 2, 7, 1)).toThrow(/k must be between 1 and the 6 points/);
  });
});

describe('one model’s diagnostics', () => {
  const dim = 16;
  const docs = randomLabelledCase(21, 180, dim, 4);
  const labels = Array.from(docs.labelOf, (l) => (l === 3 ? undefined : `class ${l}`));
  const random = mulberry32(22);
  const queries = randomUnitRows(30, dim, random);
  const relevantPairs = Int32Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? i / 2 : Math.floor(random() * 180)));
  const competingPairs = Int32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? (i / 2) % 30 : Math.floor(random() * 180)));
  const triplets = Array.from({ length: 25 }, (_, i) => ({ query: i, positive: i * 3, negative: i * 5 }));

  it('computes every key from the labelled documents, queries, pairs and triplets', async () => {
    // Raw, unnormalised rows: health must see the norms as produced.
    const raw = docs.vectors.map((v, k) => v * (1 + (k % dim) / 100));
    const result = await diagnoseEmbeddings(
      { documents: raw, dim, documentLabels: labels, labelColumn: 'Class', queries, relevantPairs, competingPairs, triplets },
      cpuDiagnosticKernels,
    );
    expect(result.details.labels).toEqual({ kind: 'column', column: 'Class', labels: 3, points: labels.filter(Boolean).length });
    const rows = labels.flatMap((l, i) => (l ? [i] : []));
    const onlyLabelled = labelled(Float32Array.from(rows.flatMap((r) => Array.from(raw.subarray(r * dim, (r + 1) * dim)))), dim, rows.map((r) => labels[r]!));
    const structure = await labelStructure(onlyLabelled, cpuDiagnosticKernels);
    expect(result.silhouette).toBeCloseTo(structure.silhouette.score, 12);
    expect(result.separationRatio).toBeCloseTo(structure.separationRatio, 12);
    expect(Object.keys(result.silhouettePerLabel!).sort()).toEqual(['class 0', 'class 1', 'class 2']);
    expect(result['neighborCoherence@10']).toBeGreaterThan(result.details.neighborCoherence!.chance);
    expect(result.health).toMatchObject({ count: 180, dim, nanComponents: 0 });
    expect(result.health.norm.max).toBeGreaterThan(1);

    const unitDocs = labelled(raw, dim, new Array(180).fill('x')).vectors;
    const cos = (q: number, d: number) => unitDocs.subarray(d * dim, (d + 1) * dim).reduce((s, v, j) => s + v * queries[q * dim + j], 0);
    const pos = Float64Array.from({ length: 30 }, (_, p) => cos(relevantPairs[2 * p], relevantPairs[2 * p + 1]));
    const neg = Float64Array.from({ length: 100 }, (_, p) => cos(competingPairs[2 * p], competingPairs[2 * p + 1]));
    expect(result.rocAuc).toBeCloseTo(rocAuc(pos, neg), 6);
    expect(result.scoreGap).toBeCloseTo(pos.reduce((a, b) => a + b) / 30 - neg.reduce((a, b) => a + b) / 100, 6);
    const hist = result.details.scores!.histogram;
    expect(hist.positives.reduce((a, b) => a + b)).toBe(30);
    expect(hist.negatives.reduce((a, b) => a + b)).toBe(100);
    const expectedTriplets = triplets.filter((t) => cos(t.query, t.positive) > cos(t.query, t.negative)).length / 25;
    expect(result.tripletAccuracy).toBeCloseTo(expectedTriplets, 12);
    const q = Float32Array.from({ length: 30 * dim }, (_, k) => queries[relevantPairs[2 * Math.floor(k / dim)] * dim + (k % dim)]);
    const d = Float32Array.from({ length: 30 * dim }, (_, k) => unitDocs[relevantPairs[2 * Math.floor(k / dim) + 1] * dim + (k % dim)]);
    expect(result.alignment).toBeCloseTo(alignment(q, d, dim), 6);
  });

  it('clusters with k-means when there are no labels, and leaves out what needs queries', async () => {
    const result = await diagnoseEmbeddings({ documents: docs.vectors, dim }, cpuDiagnosticKernels, { clusters: 4, seed: 9 });
    expect(result.details.labels).toMatchObject({ kind: 'k-means', k: 4, seed: 9, points: 180 });
    expect(result.silhouette).not.toBeNull();
    expect(result.alignment).toBeNull();
    expect(result.rocAuc).toBeNull();
    expect(result.tripletAccuracy).toBeNull();
    expect(result.details.queryHealth).toBeNull();
  });
});
