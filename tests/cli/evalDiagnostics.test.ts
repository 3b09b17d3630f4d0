import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, diskEmbeddingStore } from '../../src/cli/diskEmbeddingStore.ts';
import { loadNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { readInputs } from '../../src/cli/readDataset.ts';
import type { Dataset } from '../../src/core/data/dataset.ts';
import { encodeWithCache, modelFingerprint } from '../../src/core/eval/embeddingCache.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED, SHARED_MODELS } from '../paths.ts';
import { embedlab } from './runCli.ts';
import { judgmentsById } from '../fixtures/judgments.ts';

const BANK_FAQS = path.join(SHARED, 'data/bank-faqs/BankFAQs.csv');
const DIAGNOSTIC_KEYS = [
  'silhouette', 'silhouettePerLabel', 'neighborCoherence@10', 'separationRatio', 'daviesBouldin', 'alignment',
  'uniformity', 'anisotropy', 'effectiveRank', 'health', 'scoreGap', 'rocAuc', 'hardNegativeRocAuc', 'tripletAccuracy',
];

/** Float64 unit rows of the documents (or queries), read back from the embedding cache the CLI run filled. */
async function unitRows(texts: readonly string[], modelName: string): Promise<Float64Array[]> {
  const encoder = await loadNodeEncoder(path.join(SHARED_MODELS, modelName));
  try {
    const store = diskEmbeddingStore(defaultCacheDir());
    const { vectors, dim } = await encodeWithCache(texts, await modelFingerprint(encoder.folder), store, (missing) => encoder.encode(missing));
    return Array.from({ length: texts.length }, (_, i) => {
      const row = Float64Array.from(vectors.subarray(i * dim, (i + 1) * dim));
      const norm = Math.hypot(...row);
      return row.map((v) => v / norm);
    });
  } finally {
    await encoder.release();
  }
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
};

describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'embedlab eval diagnostics on BankFAQs (documents = distinct answers, labels = Class)'), () => {
  let report: EvalReport;
  let dataset: Dataset;
  let markdown: string;

  beforeAll(async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'embedlab-diagnostics-'));
    const [base, tuned] = REAL_MODELS.map((name) => path.join(SHARED_MODELS, name));
    const run = await embedlab(['eval', BANK_FAQS, '--model', base, '--model', tuned, '--label-column', 'Class', '--json', path.join(out, 'report.json'), '--markdown', path.join(out, 'report.md')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Silhouette \(cosine\)/);
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    markdown = await readFile(path.join(out, 'report.md'), 'utf8');
    dataset = (await readInputs([BANK_FAQS], { labelColumn: 'Class' })).dataset!;
  }, 600_000);

  it('writes a diagnostics object with every key for each model, and a reading in the comparison', () => {
    for (const model of report.models) {
      expect(Object.keys(model.diagnostics!)).toEqual(expect.arrayContaining(DIAGNOSTIC_KEYS));
      expect(model.diagnostics!.details.labels).toEqual({ kind: 'column', column: 'Class', labels: 7, points: dataset.documents.length });
      expect(model.diagnostics!.health).toMatchObject({ count: dataset.documents.length, dim: 384, nanComponents: 0, zeroNormVectors: 0 });
      expect(model.diagnostics!.tripletAccuracy).toBeNull();
    }
    const comparison = report.comparisons[0].diagnostics!;
    expect(comparison.deltas.map((d) => d.key)).toContain('silhouette');
    expect(comparison.reading.length).toBeGreaterThan(0);
    expect(markdown).toMatch(/## Diagnostics/);
    expect(markdown).toContain(comparison.reading[0]);
  });

  it.each(REAL_MODELS.map((name, i) => [name, i] as const))('%s: silhouette, NC@10 and separation equal a float64 reference', async (name, i) => {
    const rows = await unitRows(dataset.documents.texts, name);
    const labels = Array.from(dataset.documents, (d) => d.label!);
    const names = [...new Set(labels)];
    const n = rows.length;
    // sums[i][label]: Σ cosine distance from i to that label's other points.
    const sums = rows.map(() => new Float64Array(names.length));
    const neighbours: number[][] = [];
    let intra = 0, intraPairs = 0, inter = 0, interPairs = 0;
    for (let a = 0; a < n; a++) {
      const distances: [number, number][] = [];
      for (let b = 0; b < n; b++) {
        if (a === b) continue;
        const distance = 1 - dot(rows[a], rows[b]);
        distances.push([distance, b]);
        sums[a][names.indexOf(labels[b])] += distance;
        if (b > a) {
          if (labels[a] === labels[b]) { intra += distance; intraPairs++; } else { inter += distance; interPairs++; }
        }
      }
      distances.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      neighbours.push(distances.slice(0, 10).map(([, b]) => b));
    }
    const sizes = names.map((l) => labels.filter((m) => m === l).length);
    const s = rows.map((_, a) => {
      const own = names.indexOf(labels[a]);
      if (sizes[own] < 2) return 0;
      const within = sums[a][own] / (sizes[own] - 1);
      const nearest = Math.min(...names.map((_, l) => (l === own ? Infinity : sums[a][l] / sizes[l])));
      return (nearest - within) / Math.max(within, nearest);
    });
    const coherence = neighbours.map((list, a) => list.filter((b) => labels[b] === labels[a]).length / 10);
    const diagnostics = report.models[i].diagnostics!;
    expect(diagnostics.details.silhouette).toMatchObject({ points: n, standardError: null });
    expect(diagnostics.silhouette!).toBeCloseTo(s.reduce((x, y) => x + y) / n, 6);
    // Neighbours from float32 dot products: a near-tie may order differently than in float64 (5e-4 ≈ 6 swaps).
    expect(diagnostics['neighborCoherence@10']!).toBeCloseTo(coherence.reduce((x, y) => x + y) / n, 3);
    expect(diagnostics.separationRatio!).toBeCloseTo(inter / interPairs / (intra / intraPairs), 6);
    for (const [l, label] of names.entries()) {
      const own = s.filter((_, a) => labels[a] === label);
      expect(diagnostics.silhouettePerLabel![label], label).toBeCloseTo(own.reduce((x, y) => x + y) / sizes[l], 6);
    }
    expect(diagnostics.details.neighborCoherence!.chance).toBeCloseTo(sizes.reduce((t, c) => t + (c / n) ** 2, 0), 12);
  }, 120_000);

  it.each(REAL_MODELS.map((name, i) => [name, i] as const))('%s: score gap and ROC-AUC against every non-relevant document equal a float64 reference', async (name, i) => {
    const docs = await unitRows(dataset.documents.texts, name);
    const queries = await unitRows(dataset.queries.texts, name);
    const aucs: number[] = [];
    let positive = 0, positives = 0, negative = 0, negatives = 0;
    for (const [queryId, judged] of judgmentsById(dataset)) {
      const q = dataset.queries.rowOf(queryId);
      const relevant = new Set([...judged].filter(([, g]) => g > 0).map(([id]) => dataset.documents.rowOf(id)));
      const scores = docs.map((d) => dot(queries[q], d));
      // The full ranking, as the kernels order it: score descending, then document row.
      const order = scores.map((_, d) => d).sort((a, b) => scores[b] - scores[a] || a - b);
      let seen = 0;
      let below = 0;
      for (const d of order) {
        if (relevant.has(d)) below += docs.length - relevant.size - seen;
        else seen++;
      }
      aucs.push(below / (relevant.size * (docs.length - relevant.size)));
      scores.forEach((s, d) => (relevant.has(d) ? ((positive += s), positives++) : ((negative += s), negatives++)));
    }
    const diagnostics = report.models[i].diagnostics!;
    expect(diagnostics.details.corpusScores).toMatchObject({ aucQueries: aucs.length, standardError: null });
    expect(diagnostics.rocAuc!).toBeCloseTo(aucs.reduce((x, y) => x + y) / aucs.length, 5);
    expect(diagnostics.scoreGap!).toBeCloseTo(positive / positives - negative / negatives, 6);
    // Models that retrieve this well rank relevant answers far above the corpus at large.
    expect(diagnostics.rocAuc!).toBeGreaterThan(0.9);
    expect(diagnostics.hardNegativeRocAuc!).toBeLessThan(diagnostics.rocAuc!);
  }, 120_000);
});
