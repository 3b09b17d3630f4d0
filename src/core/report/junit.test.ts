import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { labelledDataset, modelRun } from '../../../tests/fixtures/reportCase.ts';
import { buildEvalReport } from './evalReport.ts';
import { gateVerdicts } from './gate.ts';
import { gateJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

describe('the gate in JUnit and in a pull-request comment', () => {
  const base = modelRun('base <&>', () => ({ ndcg: 0.5, recall: 0 }), () => 1);
  const later = modelRun('later', (q) => ({ ndcg: q < 3 ? 0.1 : 0.5, recall: 0 }), () => 1);
  const report = buildEvalReport({ dataset: labelledDataset(), runs: [base, later], metricKeys: ['ndcg@10'], mode: 'sentence-transformers', stats: { permutations: 10_000, resamples: 2000, seed: 1 } });
  const verdicts = gateVerdicts(report, { metrics: ['ndcg@10'], tolerance: 0.001 });

  it('writes well-formed XML: a case per gated metric, and with perQuery one per regressed query', () => {
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(gateJunit(report, verdicts, { perQuery: true }));
    const suite = parsed.testsuites.testsuite;
    const cases = [suite.testcase].flat();
    expect(cases).toHaveLength(1 + 3);
    expect(cases[0]['@_name']).toBe('ndcg@10 of later not worse than base <&> by more than 0.001');
    expect(cases.slice(1).map((c: Record<string, string>) => c['@_name'])).toEqual(['q1', 'q2', 'q3']);
    expect(Number(suite['@_failures'])).toBe(cases.filter((c: { failure?: unknown }) => c.failure !== undefined).length);
  });

  it('leads the Markdown with the verdict and folds the details', () => {
    const markdown = renderMarkdown(report, [], verdicts);
    const lines = markdown.split('\n');
    expect(lines[2]).toMatch(/^\*\*(✅ Gate passed|❌ Gate failed)/);
    expect(lines[4]).toMatch(/^- (PASS|FAIL) ndcg@10: later vs base <&>/);
    expect(markdown.indexOf('<details>')).toBeLessThan(markdown.indexOf('## Metrics'));
  });
});
