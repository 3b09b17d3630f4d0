import { describe, expect, it } from 'vitest';
import { hygieneChecks } from './hygiene.ts';
import { loadDataset } from './loadDataset.ts';

const file = (path: string, text: string) => ({ path, bytes: new TextEncoder().encode(text) });
const byKey = (checks: ReturnType<typeof hygieneChecks>) => Object.fromEntries(checks.map((c) => [c.key, c]));

describe('hygiene checks', () => {
  it('counts triplets whose negative is the positive and anchors equal to their positive, with examples', () => {
    const csv = 'anchor,positive,negative\nreset PIN,Use the app.,Visit a branch.\nlost card,Call us.,Call us.\nfees,fees,No fees.\nopen account,Bring ID.,Bring ID.\n';
    const { dataset } = loadDataset([file('triplets.csv', csv)]);
    const checks = byKey(hygieneChecks(dataset!));
    expect(checks.negativeIsPositive).toMatchObject({ count: 2, examples: ['q2: "Call us."', 'q4: "Bring ID."'] });
    expect(checks.anchorIsPositive).toMatchObject({ count: 1, examples: ['q3: "fees"'] });
    // The anchor "fees" is also its relevant document's text: leakage.
    expect(checks.queryIsRelevantDocument.count).toBe(1);
    expect(checks.duplicateDocumentTexts.count).toBe(0);
  });

  it('counts leakage, one text under several ids, and queries without a relevant document', () => {
    const { dataset } = loadDataset([
      file('corpus.csv', 'id,text\nd1,Use the app.\nd2,Use the app.\nd3,How do I reset my PIN?\nd4,Other.\n'),
      file('queries.csv', 'id,text\nq1,How do I reset my PIN?\nq2,Something\nq3,Nothing relevant\n'),
      file('qrels.csv', 'query_id,doc_id,score\nq1,d3,1\nq2,d1,1\nq3,d4,0\n'),
    ]);
    const checks = byKey(hygieneChecks(dataset!));
    expect(checks.queryIsRelevantDocument).toMatchObject({ count: 1, examples: ['q1 → d3: "How do I reset my PIN?"'] });
    expect(checks.duplicateDocumentTexts).toMatchObject({ count: 1, examples: ['d1, d2: "Use the app."'] });
    expect(checks.queriesWithoutRelevant).toMatchObject({ count: 1, examples: ['q3'] });
    expect(checks.negativeIsPositive).toBeUndefined();
  });
});
