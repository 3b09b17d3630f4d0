import { describe, expect, it } from 'vitest';
import { modelDiagnostics, withDiagnostics } from '../../../tests/fixtures/diagnosticsCase.ts';
import { labelledDataset, modelRun, syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { buildEvalReport } from './evalReport.ts';
import { findings } from './findings.ts';
import { judgmentsOf } from '../../../tests/fixtures/judgments.ts';

/**
 * The synthetic data with five relevant documents per query (recall@1 ≤ 1/5), base's recall@1 0 and
 * tuned's 0.2 on 18 of 40 queries: 0.09, under 10 % but 45 % of what the judgments allow.
 */
function severalRelevantReport() {
  const dataset = labelledDataset();
  dataset.judgments = judgmentsOf(dataset.queries, dataset.documents, Array.from({ length: 40 }, (_, i) => [`q${i + 1}`, Array.from({ length: 5 }, (_, k) => [`d${((i + k) % 40) + 1}`, 1] as const)] as const));
  const base = modelRun('base', () => ({ ndcg: 0.5, recall: 0 }), () => 4);
  const tuned = modelRun('tuned', (q) => ({ ndcg: 0.6, recall: q < 18 ? 0.2 : 0 }), () => 1);
  return buildEvalReport({ dataset, runs: [base, tuned], metricKeys: ['recall@1', 'ndcg@10'], mode: 'sentence-transformers', stats: { permutations: 10_000, resamples: 500, seed: 3 } });
}

describe('findings', () => {
  it('states the headline change with its interval, p and per-query wins, and a recall@1 that stays low', () => {
    const lines = findings(syntheticReport().report);
    expect(lines[0]).toMatch(/^tuned vs base: ndcg@10 0\.5000 → 0\.706[23] \(Δ \+0\.206[23], CI \(Holm\) \[\+0\.\d{4}, \+0\.\d{4}\], p < 0\.001, p\(Holm\) < 0\.001\): significantly better; better on 30 queries, worse on 5, equal on 5\.$/);
    expect(lines[1]).toBe('tuned against base: 1 of 2 metrics significantly up (ndcg@10), 0 significantly down.');
    // One relevant document per query: recall@1 can reach 1, and 2.5 % is low on its own scale.
    expect(lines).toContain('recall@1 stays under 10 % for every model (best 2.5 %).');
    expect(lines.join('\n')).not.toMatch(/possible/);
  });

  it('reads recall@1 against its ceiling 1/|R| instead of calling 0.09 low when every query has five relevant documents', () => {
    const report = severalRelevantReport();
    expect(report.ceilings?.metrics['recall@1']).toEqual({ mean: expect.closeTo(0.2, 12), capped: 40 });
    const lines = findings(report);
    expect(lines).toContain('Recall@k cannot exceed k/|R| when a query has more than k relevant documents (|R| is 5.0 on average, 5 to 5): at best recall@1 0.0900 of a possible 0.200 (tuned).');
    expect(lines.join('\n')).not.toMatch(/stays under 10 %/);
    // Under 10 % of the ceiling is still low, and said so against the ceiling.
    const low = structuredClone(report);
    low.models[1].metrics['recall@1'] = 0.015;
    expect(findings(low)).toContain('recall@1 stays under 10 % of its ceiling for every model (best 0.0150 of a possible 0.200).');
  });

  it('follows the chosen baseline: B as baseline words A against B', () => {
    const { report } = syntheticReport();
    const lines = findings(report, 1);
    expect(lines[0]).toMatch(/^base vs tuned: ndcg@10 0\.706[23] → 0\.5000 \(Δ −0\.206[23], CI \(Holm\) \[−0\.\d{4}, −0\.\d{4}\], p < 0\.001, p\(Holm\) < 0\.001\): significantly worse; better on 5 queries, worse on 30, equal on 5\.$/);
    expect(lines[1]).toBe('base against tuned: 0 of 2 metrics significantly up, 1 significantly down (ndcg@10).');
    expect(lines.join('\n')).not.toMatch(/^tuned vs base/m);
  });

  it('sums the diagnostics up in its own words, each value with its reading where the scale misleads, not the readings again', () => {
    const { report } = syntheticReport();
    const withDiag = withDiagnostics(report, [modelDiagnostics(), modelDiagnostics({ 'neighborCoherence@10': 0.7, silhouette: 0.15, hardNegativeRocAuc: 0.42, anisotropy: 0.2 })]);
    const lines = findings(withDiag);
    const readings = withDiag.comparisons.flatMap((c) => c.diagnostics!.reading);
    expect(readings.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(line).not.toMatch(/^Diagnostics, /);
      for (const reading of readings) expect(line).not.toContain(reading);
    }
    const summary = lines.find((l) => l.startsWith("Against base's embeddings"));
    expect(summary).toBe(
      "Against base's embeddings, tuned's are better on neighbour coherence NC@10 0.600 → 0.700, hard-negative ROC-AUC (top 100) 0.400 → 0.420 " +
        '(under 0.5 is normal for it, its negatives being the highest-scoring documents of each query: compare models on it, not with 0.5); ' +
        'worse on silhouette (cosine) 0.200 → 0.150; changed, neither better nor worse, on anisotropy (mean pairwise cosine) 0.100 → 0.200.',
    );
    // Against tuned as the baseline, the same movements are read the other way.
    expect(findings(withDiag, 1)).toContainEqual(expect.stringMatching(/^Against tuned's embeddings, base's are better on silhouette \(cosine\) 0\.150 → 0\.200; worse on neighbour coherence/));
  });

  it('says first when a model’s embeddings hold NaN or zero vectors', () => {
    const { report } = syntheticReport();
    const broken = modelDiagnostics();
    broken.health = { ...broken.health, nanComponents: 12, zeroNormVectors: 2 };
    const lines = findings(withDiagnostics(report, [modelDiagnostics(), broken]));
    expect(lines[0]).toBe("Check tuned's document embeddings before reading its results: 12 NaN components, 2 zero vectors.");
  });

  it('says where a model stands against BM25 when BM25 is in the run', () => {
    const { report } = syntheticReport();
    const withBm25 = structuredClone(report);
    Object.assign(withBm25.models[0], { name: 'bm25', kind: 'ranking', backend: 'BM25 inverted index (JavaScript, CPU)' });
    withBm25.comparisons[0].a = 'bm25';
    const lines = findings(withBm25);
    expect(lines).toContainEqual(expect.stringMatching(/^tuned scores ndcg@10 0\.706\d against 0\.5000 for bm25: \+0\.206\d, above BM25 \(p < 0\.001\)\.$/));
  });
});
