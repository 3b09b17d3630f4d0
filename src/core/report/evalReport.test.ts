import { describe, expect, it } from 'vitest';
import { labelledDataset, modelRun, syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { RankingOrder } from '../metrics/rankings.ts';
import { buildEvalReport, comparisonOf, headlineChange, headlineMetric, isSignificant, reportJson, withTopLists } from './evalReport.ts';

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

  it('builds the top lists only when asked, and later from the same runs as the same document', () => {
    const dataset = labelledDataset();
    const runs = [modelRun('base', () => ({ ndcg: 0.5, recall: 0 }), () => 4), modelRun('tuned', () => ({ ndcg: 0.8, recall: 1 }), () => 1)];
    const input = { dataset, runs, metricKeys: ['recall@1', 'ndcg@10'], mode: 'sentence-transformers', stats: { permutations: 10_000, resamples: 200, seed: 3 } } as const;
    const without = buildEvalReport({ ...input, topLists: false });
    expect(without.models.map((m) => m.top)).toEqual([{}, {}]);
    expect(reportJson(withTopLists(without, runs, dataset))).toBe(reportJson(buildEvalReport(input)));
  });

  it('refuses runs ordered for another mode than the report’s', () => {
    const run = modelRun('base', () => ({ ndcg: 0.5, recall: 0 }), () => 1);
    const trecOrdered = { ...run, order: RankingOrder.of(run.rankings, 'trec', (row) => `d${row + 1}`) };
    expect(() => buildEvalReport({ dataset: labelledDataset(), runs: [trecOrdered], metricKeys: ['ndcg@10'], mode: 'sentence-transformers', stats: { permutations: 10_000, resamples: 200, seed: 3 } })).toThrow(
      'base: its rankings were ordered for trec mode, the report is in sentence-transformers mode',
    );
  });
});
