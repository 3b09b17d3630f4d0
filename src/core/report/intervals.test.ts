import { describe, expect, it } from 'vitest';
import { marginalGainReport, methodsDisagreeReport } from '../../../tests/fixtures/statisticsCase.ts';
import { comparisonOf, isSignificant } from './evalReport.ts';
import { disagreementFootnotes, disagreementNote, excludesZero, intervalDisagreesWithTest, intervalHeader, intervalOf, levelText } from './intervals.ts';

describe('intervals that agree with the p-values', () => {
  it('adds a Bonferroni and a Holm-consistent interval beside the unadjusted one, and says which is which', () => {
    const report = marginalGainReport();
    const s = report.comparisons[0].metrics['ndcg@10'];
    // The row the user saw: the unadjusted 95 % CI leaves 0 out, the Holm p over six metrics is above 0.05.
    expect(s.ci95[0]).toBeGreaterThan(0);
    expect(s.p).toBeLessThan(0.05);
    expect(isSignificant(s)).toBe(false);
    // The interval adjusted as the p-value is includes 0: no contradiction left in the row.
    expect(excludesZero(s.ciHolm)).toBe(false);
    expect(intervalDisagreesWithTest(s)).toBe(false);
    expect(disagreementNote(s, 'holm', 6)).toBeNull();
    expect(disagreementNote(s, 'unadjusted', 6)).toMatch(/^the unadjusted 95 % interval leaves 0 out, but after Holm over the 6 metrics compared together the change is not significant; the Holm interval includes 0$/);
    expect(s.ciHolmLevel).toBeCloseTo(1 - 0.05 / 6, 15);
    expect(s.ciBonferroni[0]).toBeLessThan(0);
    expect(report.statistics).toMatchObject({ alpha: 0.05, intervals: expect.stringMatching(/ci95 unadjusted 95 %; ciBonferroni at 1 − α\/m; ciHolm at ciHolmLevel/) });
  });
  it('flags a row where the bootstrap interval and the randomization test part, whatever the level', () => {
    const s = methodsDisagreeReport().comparisons[0].metrics['ndcg@10'];
    expect(s.ciHolm[0]).toBeCloseTo(0.2, 12);
    expect(s.pHolm).toBe(0.125);
    expect(intervalDisagreesWithTest(s)).toBe(true);
    expect(disagreementNote(s, 'holm', 1)).toMatch(/leaves out 0 while the randomization test does not find a change: two methods that part at the margin/);
  });
  it('reverses every interval when a pair is read the other way round', () => {
    const report = marginalGainReport();
    const forward = comparisonOf(report, 'base', 'tuned')!['ndcg@10'];
    const backward = comparisonOf(report, 'tuned', 'base')!['ndcg@10'];
    expect(backward.ciHolm).toEqual([-forward.ciHolm[1], -forward.ciHolm[0]]);
    expect(backward.ciBonferroni).toEqual([-forward.ciBonferroni[1], -forward.ciBonferroni[0]]);
    expect(backward.ciHolmLevel).toBe(forward.ciHolmLevel);
  });
  it('writes one footnote per pair and reason, naming every row it covers', () => {
    const note = 'the bootstrap interval leaves out 0 while …';
    expect(
      disagreementFootnotes([
        { metric: 'accuracy@3', pair: 'B − A', note },
        { metric: 'recall@3', pair: 'B − A', note },
        { metric: 'recall@3', pair: 'C − A', note },
      ]),
    ).toEqual([`† accuracy@3, recall@3 (B − A): ${note}.`, `† recall@3 (C − A): ${note}.`]);
  });
  it('writes interval levels as a header states them', () => {
    expect([0.95, 0.975, 1 - 0.05 / 16, 1 - 0.05 / 100].map(levelText)).toEqual(['95 %', '97.5 %', '99.7 %', '99.95 %']);
    expect(['holm', 'bonferroni', 'unadjusted'].map((kind) => intervalHeader(kind as 'holm', 16))).toEqual(['CI (Holm)', '99.7 % CI (Bonferroni)', '95 % CI (unadjusted)']);
  });
  it('picks the interval a view asks for', () => {
    const s = marginalGainReport().comparisons[0].metrics['ndcg@10'];
    expect(intervalOf(s, 'holm', 6)).toEqual({ interval: s.ciHolm, level: s.ciHolmLevel });
    expect(intervalOf(s, 'bonferroni', 6)).toEqual({ interval: s.ciBonferroni, level: 1 - 0.05 / 6 });
    expect(intervalOf(s, 'unadjusted', 6)).toEqual({ interval: s.ci95, level: 0.95 });
  });
});
