import { describe, expect, it } from 'vitest';
import { circleDataset } from '../../../tests/fixtures/comparisonCase.ts';
import { readTrecRun, RunFileError } from './trecRun.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('TREC run files', () => {
  it('reads six-column runs by score (not by the rank column), keeping documents the corpus lacks', () => {
    const run = readTrecRun(bytes('q1 Q0 d3 1 0.5 bm25\nq1 Q0 d1 2 0.9 bm25\nq1 Q0 zz 3 0.7 bm25\nq2 Q0 d4 1 2 bm25\nqX Q0 d1 1 1 bm25\n'), 'bm25.run', circleDataset());
    expect(Array.from(run.rankings.offsets)).toEqual([0, 3, 4, 4]);
    // q1: d1 (0.9), zz (0.7, outside the corpus: row −1), d3 (0.5).
    expect(Array.from(run.rankings.docs)).toEqual([0, -1, 2, 3]);
    expect(run.rankings.unknownIds).toEqual(['zz']);
    expect(run.depth).toBe(3);
    expect(run.warnings.map((w) => w.message)).toEqual([
      '1 results for 1 queries the dataset does not have: skipped (first at this line)',
      '1 results name 1 documents the corpus does not have: counted as retrieved and not relevant, as trec_eval counts them',
      '1 of 3 queries have no results in the run: they score 0 (trec_eval -c)',
    ]);
    expect(run.warnings[0].line).toBe(5);
  });

  it('reads three-column runs, ties by document row, and scores in any numeric form trec_eval reads', () => {
    const run = readTrecRun(bytes('q2\td4\t1e-1\nq2\td2\t.1\r\nq2 d1 +0.1\n'), 'three.tsv', circleDataset());
    expect(Array.from(run.rankings.docs)).toEqual([0, 1, 3]);
    expect(Array.from(run.rankings.scores)).toEqual([0.1, 0.1, 0.1].map(Math.fround));
  });

  it('stops at lines trec_eval would reject, naming each', () => {
    const read = (text: string) => () => readTrecRun(bytes(text), 'bad.run', circleDataset());
    expect(read('q1 Q0 d1 1 high run\n')).toThrow('bad.run:1:5: score "high" is not a number');
    expect(read('q1 Q0 d1 1 0.5 run\nq1 Q0 d1 2 0.4 run\n')).toThrow('bad.run:2:3: document "d1" is listed twice for query "q1"');
    expect(read('q1 d1\n')).toThrow('bad.run:1: 2 columns: expected a TREC run');
    expect(read('\n\n')).toThrow('bad.run: no results');
    let caught: unknown = null;
    try {
      read('q1 Q0 d1 1 x run\nq1 Q0 d2 1 0.5\nq1 Q0 d3 1 y run\n')();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunFileError);
    {
      expect((caught as RunFileError).issues.map((i) => [i.line, i.message])).toEqual([
        [1, 'score "x" is not a number'],
        [2, '5 columns where the file\'s first line has 6'],
        [3, 'score "y" is not a number'],
      ]);
    }
  });
});
