import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { marginalGainReport, methodsDisagreeReport } from '../../../tests/fixtures/statisticsCase.ts';
import { renderMarkdown } from './markdown.ts';

const row = (markdown: string, metric: string) => markdown.split('\n').find((line) => line.startsWith(`| ${metric} |`))!;

describe('the Markdown metric table', () => {
  it('shows the raw p beside the Holm p and the interval that agrees with it, named in the header', () => {
    const report = marginalGainReport();
    const markdown = renderMarkdown(report);
    const s = report.comparisons[0].metrics['ndcg@10'];
    expect(markdown).toContain('| metric | base | tuned | Δ tuned − base | CI (Holm) | p | p (Holm) | W/T/L |');
    // The row of the issue: unadjusted 95 % CI [+0.0037, +0.0386] excludes 0, p (Holm) 0.137. Shown now: the
    // Holm interval, which includes 0, and p 0.023 beside p (Holm).
    const cells = row(markdown, 'ndcg@10').split(' | ');
    expect(cells[4]).toBe(`[−${Math.abs(s.ciHolm[0]).toFixed(4)}, +${s.ciHolm[1].toFixed(4)}]`);
    expect(cells[5]).toBe(s.p.toFixed(3));
    expect(cells[6]).toBe(s.pHolm.toFixed(3));
    expect(markdown).toMatch(/CI \(Holm\): percentile bootstrap \(10000 resamples\) at the level of the Holm step that decided the metric — from 99\.2 % for the smallest p of 6 to 95 % for the last/);
    expect(markdown).toContain('the unadjusted 95 % and the Bonferroni intervals are in the JSON report (ci95, ciBonferroni)');
    expect(markdown).not.toContain('†');
  });
  it('leads with the verdict line, before the data and the summary', () => {
    const markdown = renderMarkdown(marginalGainReport());
    const lines = markdown.split('\n');
    expect(lines[2]).toMatch(/^\*\*tuned vs base: ndcg@10 \+0\.0212 \(\+\d\.\d %\), not significant \(p 0\.02\d, p \(Holm\) 0\.1\d\d\); 0 of 6 metrics significantly up, 0 down\.\*\*$/);
    expect(markdown.indexOf('**tuned vs base')).toBeLessThan(markdown.indexOf('## Summary'));
  });
  it('gives the Summary’s headline finding the interval that agrees with its p (Holm), and the raw p', () => {
    const report = marginalGainReport();
    const s = report.comparisons[0].metrics['ndcg@10'];
    expect(renderMarkdown(report)).toContain(
      `(Δ +0.0212, CI (Holm) [−${Math.abs(s.ciHolm[0]).toFixed(4)}, +${s.ciHolm[1].toFixed(4)}], p ${s.p.toFixed(3)}, p(Holm) ${s.pHolm.toFixed(3)}): not significantly different`,
    );
  });
  it('marks a row where the bootstrap interval and the randomization test part, and says why under the table', () => {
    const markdown = renderMarkdown(methodsDisagreeReport());
    expect(row(markdown, 'ndcg@10')).toContain('| [+0.2000, +0.2000] † | 0.125 | 0.125 |');
    expect(markdown).toMatch(/^† ndcg@10 \(tuned − base\): the bootstrap interval leaves out 0 while the randomization test does not find a change: two methods that part at the margin \(mostly when few queries differ\); significance follows the test\.$/m);
  });
  it('has no significance legend and no verdict with one model', () => {
    const { report } = syntheticReport();
    const markdown = renderMarkdown({ ...report, models: report.models.slice(0, 1), comparisons: [] });
    expect(markdown).not.toMatch(/Bold: significant|CI \(Holm\)|\*\*base vs/);
    expect(markdown).toContain('One model: nothing to compare, so no deltas, intervals or p-values.');
  });
});
