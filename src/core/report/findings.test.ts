import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { findings } from './findings.ts';

describe('findings', () => {
  it('states the headline change with its interval, p and per-query wins, and a recall@1 that stays low', () => {
    const lines = findings(syntheticReport().report);
    expect(lines[0]).toMatch(/^tuned vs base: ndcg@10 0\.5000 → 0\.706[23] \(Δ \+0\.206[23], 95 % CI \[\+0\.\d{4}, \+0\.\d{4}\], p\(Holm\) < 0\.001\): significantly better; better on 30 queries, worse on 5, equal on 5\.$/);
    expect(lines[1]).toBe('tuned: 1 of 2 metrics significantly up (ndcg@10), 0 significantly down.');
    expect(lines).toContain('recall@1 stays under 10 % for every model (best 2.5 %).');
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
