import { describe, expect, it } from 'vitest';
import { circleDataset } from '../../../tests/fixtures/comparisonCase.ts';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { TextCollection } from '../data/textCollection.ts';
import { sliceByLabel, slicesNote } from './slices.ts';

describe('slices by label', () => {
  it('averages every metric over each label’s queries, largest slice first', () => {
    const { dataset, report } = syntheticReport();
    const slices = sliceByLabel(dataset, report);
    expect(slices.map((s) => [s.label, s.queries])).toEqual([['cards', 20], ['loans', 20]]);
    // Losses fall on q1…q5: three odd rows (cards) and two even (loans).
    const cards = slices[0].metrics[1]['ndcg@10'];
    expect(cards).toBeCloseTo((0.45 + 0.35 + 0.25 + 15 * 0.8 + 2 * 0.5) / 20, 12);
  });

  it('labels a query by its relevant documents’ most frequent label when it has none, else "(no label)"', () => {
    const { report } = syntheticReport();
    const dataset = circleDataset();
    const unlabelledQueries = { ...dataset, queries: TextCollection.fromRecords(Array.from(dataset.queries, ({ id, text }) => ({ id, text }))) };
    const circleReport = { ...report, models: [{ ...report.models[0], perQuery: { 'ndcg@10': { q1: 1, q2: 0.5, q3: 0 } } }] };
    const slices = sliceByLabel(unlabelledQueries, { ...circleReport, metricKeys: ['ndcg@10'] } as typeof report);
    // q1's relevant d1 (x) and d3 (y) tie: the first seen wins; q2's d4 is y; q3 has no relevant document.
    expect(slices.map((s) => [s.label, s.queries])).toEqual([['(no label)', 1], ['x', 1], ['y', 1]]);
  });
});

describe('why there are no slices', () => {
  it('says so, and why, when neither queries nor documents carry a label, or when only one label is there', () => {
    const { dataset, report } = syntheticReport();
    expect(slicesNote(dataset, sliceByLabel(dataset, report))).toBeNull();
    const unlabelled = { ...dataset, queries: TextCollection.fromRecords(Array.from(dataset.queries, ({ id, text }) => ({ id, text }))) };
    const none = sliceByLabel(unlabelled, report);
    expect(none).toEqual([]);
    expect(slicesNote(unlabelled, none)).toMatch(/^No slices: neither the queries nor the documents carry a label\. A column named label, class, category/);
    const oneLabel = { ...dataset, queries: TextCollection.fromRecords(Array.from(dataset.queries, ({ id, text }) => ({ id, text, label: 'cards' }))) };
    expect(slicesNote(oneLabel, sliceByLabel(oneLabel, report))).toBe('One slice only: every evaluated query has the label "cards", so it is the whole set.');
  });

  it('says the documents’ labels reach no evaluated query when no judged document carries one', () => {
    const { dataset, report } = syntheticReport();
    const documents = TextCollection.fromRecords([...Array.from(dataset.documents, ({ id, text }) => ({ id, text })), { id: 'extra', text: 'unjudged', label: 'fees' }]);
    const labelledElsewhere = { ...dataset, documents, queries: TextCollection.fromRecords(Array.from(dataset.queries, ({ id, text }) => ({ id, text }))) };
    const slices = sliceByLabel(labelledElsewhere, report);
    expect(slices).toEqual([]);
    expect(slicesNote(labelledElsewhere, slices)).toMatch(/^No slices: the documents carry labels, but no evaluated query/);
  });
});
