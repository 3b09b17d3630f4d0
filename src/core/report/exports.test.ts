import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import type { Rankings } from '../data/rankings.ts';
import { RankingOrder } from '../metrics/rankings.ts';
import { perQueryCsv, trecRun } from './exports.ts';

describe('exports', () => {
  it('writes one CSV row per evaluated query with every model’s values and the deltas', () => {
    const { dataset, report } = syntheticReport();
    const csv = perQueryCsv(report, new Map(Array.from(dataset.queries, (q) => [q.id, q])));
    // The byte-order mark Excel needs to read UTF-8, so that "Δ" survives; papaparse drops it.
    expect(csv.startsWith('\uFEFFquery_id,')).toBe(true);
    const rows = Papa.parse<string[]>(csv.trim()).data;
    expect(rows[0]).toEqual(['query_id', 'query', 'label', 'base recall@1', 'base ndcg@10', 'tuned recall@1', 'tuned ndcg@10', 'Δ tuned − base recall@1', 'Δ tuned − base ndcg@10']);
    expect(rows).toHaveLength(41);
    expect(rows[5]).toEqual(['q5', 'question 5 | with a pipe', 'cards', '0', '0.5', '0', '0.25', '0', '-0.25']);
  });

  it('escapes cells a spreadsheet would run as formulas', () => {
    const { report } = syntheticReport();
    const csv = perQueryCsv(report, new Map([['q1', { text: '=HYPERLINK("http://x")', label: '+1' }]]));
    expect(csv).toContain(`q1,"'=HYPERLINK(""http://x"")","'+1",`);
  });

  const rankings: Rankings = {
    offsets: Int32Array.of(0, 3, 3),
    docs: Int32Array.of(1, 0, -1),
    scores: Float32Array.of(0.5, 0.5, 0.123456789),
    unknownIds: ['zz-extra'],
  };
  const docIds = ['a', 'b'];
  const docId = (row: number) => (row >= 0 ? docIds[row] : rankings.unknownIds[-row - 1]);

  it('writes a TREC run in the mode’s order, ids at this edge only, every float32 digit kept', () => {
    const ours = trecRun(RankingOrder.of(rankings, 'sentence-transformers', docId), (q) => `query ${q}`.replace(' ', ''), docId, 'my model');
    expect(ours).toBe(['query0 Q0 b 1 0.5 my_model', 'query0 Q0 a 2 0.5 my_model', 'query0 Q0 zz-extra 3 0.123456791 my_model', ''].join('\n'));
    // trec_eval breaks the tie by document id, descending: b before a either way, here by rule.
    const trec = trecRun(RankingOrder.of(rankings, 'trec', docId), (q) => `q${q}`, docId, 'x');
    expect(trec.split('\n').slice(0, 2)).toEqual(['q0 Q0 b 1 0.5 x', 'q0 Q0 a 2 0.5 x']);
    const read = Number(ours.split('\n')[2].split(' ')[4]);
    expect(Math.fround(read)).toBe(rankings.scores[2]);
  });
});
