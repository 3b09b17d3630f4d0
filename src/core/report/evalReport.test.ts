import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { comparisonOf, headlineChange, headlineMetric, isSignificant, reportJson } from './evalReport.ts';

describe('the report', () => {
  const { report } = syntheticReport();

  it('keys per-query values and top lists by id, and compares every pair', () => {
    expect(Object.keys(report.models[1].perQuery['ndcg@10'])).toHaveLength(40);
    expect(report.models[1].perQuery['ndcg@10'].q5).toBeCloseTo(0.25, 12);
    expect(report.models[1].top.q10.map(([id]) => id)).toEqual(['d10', 'd12', 'd13']);
    const [c] = report.comparisons;
    expect(c).toMatchObject({ a: 'base', b: 'tuned' });
    expect(c.metrics['ndcg@10']).toMatchObject({ wins: 30, ties: 5, losses: 5 });
    expect(c.metrics['ndcg@10'].delta).toBeCloseTo((30 * 0.3 - 0.05 * 15) / 40, 12);
    expect(isSignificant(c.metrics['ndcg@10'])).toBe(true);
    expect(report.statistics).toMatchObject({ permutations: 10_000, resamples: 2_000, seed: 3 });
  });

  it('reads a pair either way round, negating deltas and intervals and swapping wins and losses', () => {
    const forward = comparisonOf(report, 'base', 'tuned')!['ndcg@10'];
    const backward = comparisonOf(report, 'tuned', 'base')!['ndcg@10'];
    expect(backward.delta).toBe(-forward.delta);
    expect(backward.ci95).toEqual([-forward.ci95[1], -forward.ci95[0]]);
    expect([backward.wins, backward.losses]).toEqual([forward.losses, forward.wins]);
    expect(comparisonOf(report, 'base', 'nobody')).toBeNull();
  });

  it('leads with NDCG@10 and says whether its change is significant', () => {
    expect(headlineMetric(report.metricKeys)).toBe('ndcg@10');
    expect(headlineMetric(['recall@1', 'mrr@10'])).toBe('recall@1');
    expect(headlineChange(report.metricKeys, report.models[0].metrics, report.models[1].metrics, report.comparisons[0].metrics)).toMatchObject({
      metric: 'ndcg@10',
      baseline: 0.5,
      significant: true,
    });
  });

  it('serialises to the JSON document both the CLI and the page write', () => {
    const text = reportJson(report);
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
