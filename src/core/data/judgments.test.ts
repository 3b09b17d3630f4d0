import { describe, expect, it } from 'vitest';
import { countJudgments, JudgmentsByQuery, type Judgments } from './judgments.ts';

// Query row 3 judged documents 5 (grade 2) and 1 (0); query row 0 judged document 4 (1); rows 1, 2 and 4 none.
const judgments: Judgments = {
  queries: Int32Array.from([3, 0]),
  offsets: Int32Array.from([0, 2, 3]),
  docs: Int32Array.from([5, 1, 4]),
  grades: Float64Array.from([2, 0, 1]),
};

describe('judgments by row', () => {
  it('are counted, relevant ones (grade > 0) apart', () => {
    expect(countJudgments(judgments)).toEqual({ judgments: 3, relevant: 2 });
  });

  it('are found from a query row, whatever order the queries came in, and unjudged rows have none', () => {
    const byQuery = new JudgmentsByQuery(judgments);
    expect(byQuery.positions(3)).toEqual([0, 2]);
    expect(byQuery.positions(0)).toEqual([2, 3]);
    for (const q of [1, 2, 4, -1]) expect(byQuery.positions(q), `row ${q}`).toEqual([0, 0]);
    expect([byQuery.gradeOf(3, 5), byQuery.gradeOf(3, 1), byQuery.gradeOf(0, 4)]).toEqual([2, 0, 1]);
    expect([byQuery.gradeOf(3, 4), byQuery.gradeOf(0, 5), byQuery.gradeOf(2, 4)]).toEqual([undefined, undefined, undefined]);
  });
});
