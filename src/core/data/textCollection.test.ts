import { describe, expect, it } from 'vitest';
import { judgmentsById } from '../../../tests/fixtures/judgments.ts';
import { JudgmentsByQuery } from './judgments.ts';
import { buildPairsDataset } from './pairs.ts';
import { TextCollection } from './textCollection.ts';

describe('TextCollection', () => {
  it('numbers rows without storing ids and finds rows by id', () => {
    const table = TextCollection.numbered('d', ['alpha', 'beta', 'gamma'], ['x', 'y'], (row) => [1, 0, 2][row]);
    expect(table.length).toBe(3);
    expect([table.id(0), table.id(2)]).toEqual(['d1', 'd3']);
    expect([table.label(0), table.label(1), table.label(2)]).toEqual(['x', undefined, 'y']);
    expect(Array.from(table)).toEqual([{ id: 'd1', text: 'alpha', label: 'x' }, { id: 'd2', text: 'beta' }, { id: 'd3', text: 'gamma', label: 'y' }]);
    expect(['d1', 'd3', 'd4', 'd0', 'd01', 'q1', 'd', 'd1.5'].map((id) => table.rowOf(id))).toEqual([0, 2, -1, -1, -1, -1, -1, -1]);
    expect(table.hasLabels).toBe(true);
  });

  it('keeps the ids and labels of records it is given', () => {
    const table = TextCollection.fromRecords([{ id: 'doc-7', text: 'a' }, { id: '12', text: 'b', label: 'l' }]);
    expect(table.record(1)).toEqual({ id: '12', text: 'b', label: 'l' });
    expect([table.rowOf('12'), table.rowOf('doc-7'), table.rowOf('d1')]).toEqual([1, 0, -1]);
    expect(TextCollection.fromRecords([{ id: 'a', text: 'a' }]).hasLabels).toBe(false);
  });
});

describe('pairs judgments', () => {
  it('are the rows the pairs describe: each query once, its relevant documents in the order read, grade 1', () => {
    const rows = [
      ['q a', 'd a'],
      ['q b', 'd b'],
      ['q a', 'd c'],
      ['q a', 'd a'],
      ['q c', 'd b'],
    ];
    const { dataset } = buildPairsDataset({ file: 'p.csv', header: ['question', 'answer'], rows, lines: rows.map((_, i) => i + 2), delimiter: ',' }, { query: 'question', document: 'answer' }, 'p');
    expect(dataset.judgments).toEqual({
      queries: Int32Array.from([0, 1, 2]),
      offsets: Int32Array.from([0, 2, 3, 4]),
      docs: Int32Array.from([0, 2, 1, 1]),
      grades: Float64Array.from([1, 1, 1, 1]),
    });
    const plain = new Map([...judgmentsById(dataset)].map(([q, docs]) => [q, Object.fromEntries(docs)]));
    expect(plain).toEqual(
      new Map([
        ['q1', { d1: 1, d3: 1 }],
        ['q2', { d2: 1 }],
        ['q3', { d2: 1 }],
      ]),
    );
    const byQuery = new JudgmentsByQuery(dataset.judgments);
    const row = (id: string) => dataset.queries.rowOf(id);
    const doc = (id: string) => dataset.documents.rowOf(id);
    expect(dataset.judgments.queries.length).toBe(3);
    expect(byQuery.gradeOf(row('q2'), doc('d2'))).toBe(1);
    expect(byQuery.gradeOf(row('q2'), doc('d1'))).toBeUndefined();
    expect(row('q4')).toBe(-1);
    expect(byQuery.positions(row('q4'))).toEqual([0, 0]);
    expect(row('d1')).toBe(-1);
    expect(Array.from(dataset.judgments.queries, (q) => dataset.queries.id(q))).toEqual(['q1', 'q2', 'q3']);
  });
});
