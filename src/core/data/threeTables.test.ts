import { describe, expect, it } from 'vitest';
import { parseTable } from './table.ts';
import { buildThreeTablesDataset } from './threeTables.ts';

const table = (file: string, text: string) => parseTable(text, file).table;

describe('three tables → judgments by row', () => {
  it('keeps judged queries in order of their first judgment, groups interleaved judgments by query in file order, and a pair judged again keeps its place with the last grade', () => {
    const { dataset, issues } = buildThreeTablesDataset(
      {
        corpus: table('corpus.csv', 'id,text\nd1,one\nd2,two\nd3,three\nd4,four\n'),
        queries: table('queries.csv', 'id,text\nq1,first\nq2,second\nq3,never judged\n'),
        qrels: table('qrels.csv', 'query_id,doc_id,score\nq2,d3,1\nq1,d2,0\nq2,d1,2\nq9,d1,1\nq1,d2,3\nq2,d4,0\n'),
      },
      'set',
      'three tables',
    );
    expect(Array.from(dataset.queries, (q) => q.id)).toEqual(['q2', 'q1']);
    // Rows: q2 = 0, q1 = 1; d1 = 0 … d4 = 3.
    expect(dataset.judgments).toEqual({
      queries: Int32Array.from([0, 1]),
      offsets: Int32Array.from([0, 3, 4]),
      docs: Int32Array.from([2, 0, 3, 1]),
      grades: Float64Array.from([1, 2, 0, 3]),
    });
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [5, '1 judgments name unknown queries and 0 unknown documents: ignored, as trec_eval does (first at this line)'],
      [6, '1 (query, document) pairs are judged again further down (first at this line): the last grade given wins'],
    ]);
  });
});
