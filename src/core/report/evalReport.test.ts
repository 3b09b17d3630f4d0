import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { marginalGainReport, methodsDisagreeReport } from '../../../tests/fixtures/statisticsCase.ts';
import { comparisonOf, headlineChange, headlineMetric, holmIntervalExcludesZero, intervalDisagreesWithTest, isSignificant, levelText, reportJson } from './evalReport.ts';

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

describe('intervals that agree with the p-values', () => {
  it('adds a Bonferroni and a Holm-consistent interval beside the unadjusted one, and says which is which', () => {
    const report = marginalGainReport();
    const s = report.comparisons[0].metrics['ndcg@10'];
    // The row the user saw: the unadjusted 95 % CI leaves 0 out, the Holm p over six metrics is above 0.05.
    expect(s.ci95[0]).toBeGreaterThan(0);
    expect(s.p).toBeLessThan(0.05);
    expect(isSignificant(s)).toBe(false);
    // The interval adjusted as the p-value is includes 0: no contradiction left in the row.
    expect(holmIntervalExcludesZero(s)).toBe(false);
    expect(intervalDisagreesWithTest(s)).toBe(false);
    expect(s.ciHolmLevel).toBeCloseTo(1 - 0.05 / 6, 15);
    expect(s.ciBonferroni[0]).toBeLessThan(0);
    expect(report.statistics).toMatchObject({ alpha: 0.05, intervals: expect.stringMatching(/ci95 unadjusted 95 %; ciBonferroni at 1 − α\/m; ciHolm at ciHolmLevel/) });
  });
  it('flags a row where the bootstrap interval and the randomization test part, whatever the level', () => {
    const s = methodsDisagreeReport().comparisons[0].metrics['ndcg@10'];
    expect(s.ciHolm[0]).toBeCloseTo(0.2, 12);
    expect(s.pHolm).toBe(0.125);
    expect(intervalDisagreesWithTest(s)).toBe(true);
  });
  it('reverses every interval when a pair is read the other way round', () => {
    const report = marginalGainReport();
    const forward = comparisonOf(report, 'base', 'tuned')!['ndcg@10'];
    const backward = comparisonOf(report, 'tuned', 'base')!['ndcg@10'];
    expect(backward.ciHolm).toEqual([-forward.ciHolm[1], -forward.ciHolm[0]]);
    expect(backward.ciBonferroni).toEqual([-forward.ciBonferroni[1], -forward.ciBonferroni[0]]);
    expect(backward.ciHolmLevel).toBe(forward.ciHolmLevel);
  });
  it('writes interval levels as a header states them', () => {
    expect([0.95, 0.975, 1 - 0.05 / 16, 1 - 0.05 / 100].map(levelText)).toEqual(['95 %', '97.5 %', '99.7 %', '99.95 %']);
  });
});
