import { describe, expect, it } from 'vitest';
import { circleDataset } from '../../../tests/fixtures/comparisonCase.ts';
import { DataError } from '../data/dataset.ts';
import { runFileCheckpoint } from './runCheckpoint.ts';

const rankingsOf = (text: string) =>
  runFileCheckpoint({ name: 'bm25', source: 'runs/bm25.trec' }, async () => new TextEncoder().encode(text)).rankings(circleDataset(), { onProgress: () => undefined });

describe('a run file as a checkpoint', () => {
  it('reads a run of the dataset, with warnings for the ids it lacks', async () => {
    const read = await rankingsOf('q1 Q0 d1 1 2.0 bm25\nq1 Q0 dx 2 1.0 bm25\nq9 Q0 d1 1 1.0 bm25\n');
    expect(Array.from(read.rankings.docs)).toEqual([0, -1]);
    expect(read.notes.join('\n')).toMatch(/1 results for 1 queries the dataset does not have/);
  });

  it('is bad input when it names no query of the dataset (a run of other data), not a model that scores 0', async () => {
    const attempt = rankingsOf('\nQ-17 Q0 d1 1 2.0 bm25\nQ-18 Q0 d2 1 1.0 bm25\n');
    await expect(attempt).rejects.toBeInstanceOf(DataError);
    await expect(attempt).rejects.toThrow('bm25.trec: ranks none of the dataset\'s 3 queries (its first line names query "Q-17"): is it a run of other data, or of other query ids?');
  });

  it('is bad input when every document it ranks is unknown to the corpus', async () => {
    const attempt = rankingsOf('q1 doc-1 2.0\nq1 doc-2 1.0\nq2 doc-1 0.5\n');
    await expect(attempt).rejects.toBeInstanceOf(DataError);
    await expect(attempt).rejects.toThrow('bm25.trec: names none of the corpus\'s 5 documents in its 3 results (the first: "doc-1"): is it a run of other data, or of other document ids?');
  });
});
