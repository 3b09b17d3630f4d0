import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { marginalGainReport } from '../../../tests/fixtures/statisticsCase.ts';
import { comparisonVerdicts } from './verdict.ts';

describe('the verdict line', () => {
  it('gives the headline change, whether it is significant with both p-values, and how many metrics moved', () => {
    const { report } = syntheticReport();
    expect(comparisonVerdicts(report)).toEqual([
      expect.stringMatching(/^tuned vs base: ndcg@10 \+0\.206\d \(\+41\.\d %\), significantly better \(p < 0\.001, p \(Holm\) < 0\.001\); 1 of 2 metrics significantly up, 0 down\.$/),
    ]);
  });
  it('says "not significant" for a raw p under 0.05 that Holm over six metrics lifts above it', () => {
    expect(comparisonVerdicts(marginalGainReport())).toEqual([
      expect.stringMatching(/^tuned vs base: ndcg@10 \+0\.0212 \(\+\d\.\d %\), not significant \(p 0\.02\d, p \(Holm\) 0\.1\d\d\); 0 of 6 metrics significantly up, 0 down\.$/),
    ]);
  });
  it('follows the baseline asked for, and is empty with one model', () => {
    const { report } = syntheticReport();
    expect(comparisonVerdicts(report, 'tuned')[0]).toMatch(/^base vs tuned: ndcg@10 −0\.206\d \(−29\.\d %\), significantly worse/);
    expect(comparisonVerdicts({ ...report, models: report.models.slice(0, 1), comparisons: [] })).toEqual([]);
  });
});
