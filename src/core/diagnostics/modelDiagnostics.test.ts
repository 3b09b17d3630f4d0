import { describe, expect, it } from 'vitest';
import { randomLabelledCase, randomUnitRows } from '../../../tests/fixtures/random.ts';
import { mulberry32 } from '../metrics/random.ts';
import { alignment } from './geometry.ts';
import { cpuDiagnosticKernels } from './kernels.ts';
import { sphericalKMeans } from './kmeans.ts';
import { gatherRows } from '../vectors/documentRows.ts';
import { labelled, withLabels } from './labelled.ts';
import { seededSample } from './sample.ts';
import { labelStructure } from './labelStructure.ts';
import { diagnoseEmbeddings } from './modelDiagnostics.ts';
import { rocAuc } from './scoreDistribution.ts';
import { CORPUS_AUC_MIN_QUERIES, corpusScores, type RelevantDocuments } from './corpusScores.ts';
import { embeddingHealth } from './health.ts';
import { topKCpuSync } from '../kernels/topk/topk.cpu.ts';
import { rankingsFromTopK } from '../metrics/rankings.ts';
import { normalizeRows } from '../vectors/normalize.ts';

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
    const unit = labelled(vectors, dim, Array.from(planted, String)).vectors as Float32Array;
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
  // Query q judges document q and one or two random ones relevant.
  const relevantLists = Array.from({ length: 30 }, (_, q) => [...new Set([q, ...Array.from({ length: 1 + (q % 2) }, () => Math.floor(random() * 180))])]);
  const relevant: RelevantDocuments = {
    queryRows: Int32Array.from({ length: 30 }, (_, q) => q),
    offsets: Int32Array.from({ length: 31 }, (_, q) => relevantLists.slice(0, q).reduce((n, l) => n + l.length, 0)),
    docs: Int32Array.from(relevantLists.flat()),
  };
  const triplets = Array.from({ length: 25 }, (_, i) => ({ query: i, positive: i * 3, negative: i * 5 }));
  // Raw, unnormalised rows: health must see the norms as produced; the diagnostics take the unit rows.
  const raw = docs.vectors.map((v, k) => v * (1 + (k % dim) / 100));
  const unit = raw.slice();
  normalizeRows(unit, dim);

  it('computes every key from the labelled documents, queries, judgments, ranking and triplets', async () => {
    const rankings = rankingsFromTopK(topKCpuSync({ queries, docs: unit, dim, k: 20 }));
    const result = await diagnoseEmbeddings(
      { documents: unit, dim, documentHealth: embeddingHealth(raw, dim), documentLabels: labels, labelColumn: 'Class', queries, relevant, rankings, triplets },
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

    // Float64 reference: every document scored, the full ranking sorted (score desc, then row).
    const cos = (q: number, d: number) => {
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += unit[d * dim + j] * queries[q * dim + j];
      return sum;
    };
    let positives = 0;
    let positiveSum = 0;
    let negativeSum = 0;
    let negatives = 0;
    const aucs: number[] = [];
    const hardPos: number[] = [];
    const hardNeg: number[] = [];
    relevantLists.forEach((list, q) => {
      const order = Array.from({ length: 180 }, (_, d) => d).sort((a, b) => cos(q, b) - cos(q, a) || a - b);
      let below = 0;
      for (const r of list) below += order.slice(order.indexOf(r) + 1).filter((d) => !list.includes(d)).length;
      aucs.push(below / (list.length * (180 - list.length)));
      for (let d = 0; d < 180; d++) {
        if (list.includes(d)) {
          positives++;
          positiveSum += cos(q, d);
          hardPos.push(cos(q, d));
        } else {
          negatives++;
          negativeSum += cos(q, d);
        }
      }
      for (const d of order.slice(0, 20)) if (!list.includes(d)) hardNeg.push(cos(q, d));
    });
    expect(result.rocAuc).toBeCloseTo(aucs.reduce((a, b) => a + b) / 30, 12);
    expect(result.scoreGap).toBeCloseTo(positiveSum / positives - negativeSum / negatives, 10);
    expect(result.details.corpusScores).toMatchObject({ aucQueries: 30, standardError: null, positives: { count: positives }, negatives: { count: negatives } });
    expect(result.hardNegativeRocAuc).toBeCloseTo(rocAuc(Float64Array.from(hardPos), Float64Array.from(hardNeg)), 6);
    const hist = result.details.hardNegatives!.histogram;
    expect(result.details.hardNegatives!.depth).toBe(20);
    expect(hist.positives.reduce((a, b) => a + b)).toBe(positives);
    expect(hist.negatives.reduce((a, b) => a + b)).toBe(hardNeg.length);
    const expectedTriplets = triplets.filter((t) => cos(t.query, t.positive) > cos(t.query, t.negative)).length / 25;
    expect(result.tripletAccuracy).toBeCloseTo(expectedTriplets, 12);
    const pairs = relevantLists.flatMap((list, q) => list.map((d) => [q, d]));
    const q = Float32Array.from({ length: pairs.length * dim }, (_, k) => queries[pairs[Math.floor(k / dim)][0] * dim + (k % dim)]);
    const d = Float32Array.from({ length: pairs.length * dim }, (_, k) => unit[pairs[Math.floor(k / dim)][1] * dim + (k % dim)]);
    expect(result.alignment).toBeCloseTo(alignment(q, d, dim), 6);
  });

  it('takes the full-corpus AUC on a seeded sample of queries when scoring every query would cost too much', () => {
    const many = randomUnitRows(200, dim, mulberry32(23));
    const pick = mulberry32(24);
    const oneEach: RelevantDocuments = {
      queryRows: Int32Array.from({ length: 200 }, (_, q) => q),
      offsets: Int32Array.from({ length: 201 }, (_, q) => q),
      docs: Int32Array.from({ length: 200 }, () => Math.floor(pick() * 180)),
    };
    // A ranking one deep leaves nearly every relevant document below it: each needs a scoring pass.
    const shallow = rankingsFromTopK(topKCpuSync({ queries: many, docs: unit, dim, k: 1 }));
    const exact = corpusScores(many, unit, dim, shallow, oneEach, { seed: 5 })!;
    const sampled = corpusScores(many, unit, dim, shallow, oneEach, { seed: 5, work: 180 * dim * 10 })!;
    expect(exact).toMatchObject({ aucQueries: 200, standardError: null, sampleSeed: null });
    expect(sampled).toMatchObject({ aucQueries: CORPUS_AUC_MIN_QUERIES, sampleSeed: 5 });
    expect(Math.abs(sampled.rocAuc - exact.rocAuc)).toBeLessThan(4 * sampled.standardError!);
    expect(corpusScores(many, unit, dim, shallow, oneEach, { seed: 5, work: 180 * dim * 10 })).toEqual(sampled);
    // The gap needs no sampling: one summed document vector gives every negative's mean.
    expect(sampled.gap).toBe(exact.gap);
  });

  it('fits k-means and the effective rank on a seeded sample above the fit size, and assigns every point', async () => {
    const result = await diagnoseEmbeddings({ documents: unit, dim, documentHealth: embeddingHealth(raw, dim) }, cpuDiagnosticKernels, { clusters: 4, seed: 9, fitPoints: 60 });
    expect(result.details.labels).toMatchObject({ kind: 'k-means', k: 4, points: 180, fittedOn: 60 });
    expect(result.details.effectiveRank).toEqual({ points: 60, sampleSeed: 9 });
    const fitted = sphericalKMeans(gatherRows(unit, dim, seededSample(180, 60, 9)), dim, 4, 9);
    // Each point's cluster is its most similar centroid (float64 reference).
    const labelOf = Array.from({ length: 180 }, (_, i) => {
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += unit[i * dim + j] * fitted.centroids[c * dim + j];
        if (s > bestScore + 1e-6) [best, bestScore] = [c, s];
      }
      return best;
    });
    expect(result.silhouette).not.toBeNull();
    const silhouetteOfReference = await labelStructure(withLabels(unit, dim, Int32Array.from(labelOf), ['1', '2', '3', '4']), cpuDiagnosticKernels, 9);
    expect(result.silhouette).toBeCloseTo(silhouetteOfReference.silhouette.score, 6);
  });

  it('clusters with k-means when there are no labels, and leaves out what needs queries', async () => {
    const result = await diagnoseEmbeddings({ documents: unit, dim, documentHealth: embeddingHealth(raw, dim) }, cpuDiagnosticKernels, { clusters: 4, seed: 9 });
    expect(result.details.labels).toMatchObject({ kind: 'k-means', k: 4, seed: 9, points: 180 });
    expect(result.silhouette).not.toBeNull();
    expect(result.alignment).toBeNull();
    expect(result.rocAuc).toBeNull();
    expect(result.hardNegativeRocAuc).toBeNull();
    expect(result.tripletAccuracy).toBeNull();
    expect(result.details.queryHealth).toBeNull();
  });
});
