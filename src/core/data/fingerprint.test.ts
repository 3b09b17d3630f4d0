import { describe, expect, it } from 'vitest';
import { circleDataset } from '../../../tests/fixtures/comparisonCase.ts';
import { labelledDataset } from '../../../tests/fixtures/reportCase.ts';
import type { Dataset } from './dataset.ts';
import { datasetFingerprint, fingerprintChanges, isDatasetFingerprint } from './fingerprint.ts';
import { TextCollection } from './textCollection.ts';
import { judgmentsById, judgmentsOf } from '../../../tests/fixtures/judgments.ts';

/**
 * The circle dataset with its documents replaced (records in any order). The judgments follow the ids into
 * the new rows; one whose document is no longer there goes, as a loader drops it.
 */
function withDocuments(records: { id: string; text: string; label?: string }[]): Dataset {
  const dataset = circleDataset();
  const documents = TextCollection.fromRecords(records);
  const judged = [...judgmentsById(dataset)].map(([queryId, docs]) => [queryId, [...docs].filter(([docId]) => documents.rowOf(docId) >= 0)] as const);
  return { ...dataset, documents, judgments: judgmentsOf(dataset.queries, documents, judged) };
}

const DOCUMENTS = [
  { id: 'd1', text: 'east', label: 'x' },
  { id: 'd2', text: 'north-east', label: 'x' },
  { id: 'd3', text: 'north', label: 'y' },
  { id: 'd4', text: 'west', label: 'y' },
  { id: 'd5', text: 'south' },
];

describe('the data fingerprint', () => {
  it('is the same for the same data, whatever the row order, and has the counts', async () => {
    const a = await datasetFingerprint(circleDataset());
    const b = await datasetFingerprint(withDocuments([...DOCUMENTS].reverse()));
    expect(b).toEqual(a);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect([a.documents.count, a.queries.count, a.judgments.count]).toEqual([5, 3, 5]);
    expect(isDatasetFingerprint(JSON.parse(JSON.stringify(a)))).toBe(true);
    expect(fingerprintChanges(a, circleDataset())).toEqual([]);
  });

  it('keeps the digest a stored report holds: the same data gives the same value across versions', async () => {
    // Computed before judgments became rows (id-keyed qrels): a baseline report stored then must still match.
    expect((await datasetFingerprint(circleDataset())).digest).toBe('438b35e80cdf6fd45e73bce19e6a1d264e2d93fc175793d371825a4f6edbc30e');
    expect((await datasetFingerprint(labelledDataset())).digest).toBe('4e039041851beb2ad0af46e53e9d80bb03c2e10ed54996dc07e9e174a6516872');
  });

  it('names changed texts and labels, new ids and counts gone', async () => {
    const stored = await datasetFingerprint(circleDataset());
    const changed = withDocuments([
      { id: 'd1', text: 'east' },                      // label dropped
      { id: 'd2', text: 'north-east, edited', label: 'x' },
      { id: 'd3', text: 'north', label: 'y' },
      { id: 'd6', text: 'up' },                        // new
      { id: 'd0', text: 'down' },                      // new, first by id
      { id: 'd5', text: 'south' },
    ]);                                                // d4 gone
    expect(fingerprintChanges(stored, changed)).toEqual([
      'documents: 5 in the baseline, 6 now; 2 new (first: "d0"); 1 gone; 2 with changed texts or labels (first: "d1")',
      // q2's judgment of d4 went with d4.
      'judgments: 5 in the baseline, 4 now; 1 gone',
    ]);
    expect((await datasetFingerprint(changed)).digest).not.toBe(stored.digest);
  });

  it('names a changed grade and a new judgment by query and document', async () => {
    const stored = await datasetFingerprint(circleDataset());
    const dataset = circleDataset();
    const byId = judgmentsById(dataset);
    byId.get('q1')!.set('d3', 1);
    byId.get('q3')!.set('d4', 1);
    const judgments = judgmentsOf(dataset.queries, dataset.documents, byId);
    expect(fingerprintChanges(stored, { ...dataset, judgments })).toEqual([
      'judgments: 5 in the baseline, 6 now; 1 new (first: query "q3", document "d4"); 1 with changed grades (first: query "q1", document "d3")',
    ]);
  });

  it('tells a changed query apart from a changed document', async () => {
    const stored = await datasetFingerprint(circleDataset());
    const dataset = circleDataset();
    const queries = TextCollection.fromRecords([{ id: 'q1', text: 'east-ish' }, { id: 'q2', text: 'WEST-ish' }, { id: 'q3', text: 'south-ish' }]);
    expect(fingerprintChanges(stored, { ...dataset, queries })).toEqual(['queries: 3 in the baseline, 3 now; 1 with changed texts or labels (first: "q2")']);
  });
});
