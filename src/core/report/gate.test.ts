import { describe, expect, it } from 'vitest';
import { labelledDataset, modelRun } from '../../../tests/fixtures/reportCase.ts';
import { bootstrapMeanCI } from '../metrics/stats.ts';
import { buildEvalReport } from './evalReport.ts';
import { gateVerdicts } from './gate.ts';

/** A baseline and a later model whose NDCG@10 moves by `delta(q)` on query q (recall@1 unchanged). */
function reportWith(delta: (q: number) => number) {
  const base = modelRun('base', () => ({ ndcg: 0.5, recall: 0.5 }), () => 1);
  const later = modelRun('later', (q) => ({ ndcg: 0.5 + delta(q), recall: 0.5 }), () => 1);
  return buildEvalReport({ dataset: labelledDataset(), runs: [base, later], metricKeys: ['ndcg@10', 'recall@1'], mode: 'sentence-transformers', stats: { permutations: 10_000, resamples: 4000, seed: 5 } });
}

describe('the CI gate', () => {
  // A clear loss: −0.1 on every query, ±0.05 noise.
  const loss = reportWith((q) => -0.1 + (q % 3 === 0 ? 0.05 : q % 3 === 1 ? -0.05 : 0));

  it('fails when the one-sided upper bound of Δ lies below −tolerance, and says so with the numbers', () => {
    const [v] = gateVerdicts(loss, { metrics: ['ndcg@10'], tolerance: 0.05 });
    const diffs = Float64Array.from({ length: 40 }, (_, q) => -0.1 + (q % 3 === 0 ? 0.05 : q % 3 === 1 ? -0.05 : 0));
    const [, upper] = bootstrapMeanCI(diffs, 4000, 5, 0.9);
    expect(v).toMatchObject({ model: 'later', baseline: 'base', metric: 'ndcg@10', confidence: 0.95, failed: true });
    expect(v.upperBound).toBeCloseTo(upper, 12);
    expect(v.delta).toBeCloseTo(diffs.reduce((a, b) => a + b) / 40, 12);
    expect(v.line).toMatch(/^FAIL ndcg@10: later vs base: Δ −0\.\d{4}, 95\.0 % upper bound −0\.\d{4} < −0\.05: the data rule out a loss smaller than the tolerance$/);
  });

  it('passes a loss within the tolerance, and a gain', () => {
    expect(gateVerdicts(loss, { metrics: ['ndcg@10'], tolerance: 0.15 })[0].failed).toBe(false);
    const gain = reportWith(() => 0.02);
    expect(gateVerdicts(gain, { metrics: ['ndcg@10'], tolerance: 0 })[0]).toMatchObject({ failed: false, line: expect.stringMatching(/^PASS/) });
  });

  it('passes a loss the data cannot establish: a noisy small difference straddling −tolerance', () => {
    const noisy = reportWith((q) => (q % 2 === 0 ? 0.3 : -0.34));
    const [v] = gateVerdicts(noisy, { metrics: ['ndcg@10'], tolerance: 0 });
    expect(v.delta).toBeLessThan(0);
    expect(v.failed).toBe(false);
  });

  it('corrects several gated metrics together (Bonferroni): each bound at 1 − α/m', () => {
    const verdicts = gateVerdicts(loss, { metrics: ['ndcg@10', 'recall@1'], tolerance: 0.05 });
    expect(verdicts.map((v) => [v.metric, v.confidence, v.failed])).toEqual([
      ['ndcg@10', 0.975, true],
      ['recall@1', 0.975, false],
    ]);
    // A wider bound than with one metric alone.
    expect(verdicts[0].upperBound).toBeGreaterThanOrEqual(gateVerdicts(loss, { metrics: ['ndcg@10'], tolerance: 0.05 })[0].upperBound);
  });
});
