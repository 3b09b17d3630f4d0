import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import { compareCheckpoints } from '../eval/compare.ts';
import { exportFiles } from './exportFiles.ts';

const comparison = await compareCheckpoints(
  circleDataset(),
  [fixedVectors('model a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]), fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1])],
  { metricKeys: ['ndcg@3'], mode: 'sentence-transformers', stats: { seed: 7 } },
);

describe('export files', () => {
  it('puts every checkpoint’s TREC run into one zip, byte for byte the files the CLI writes', () => {
    const runs = exportFiles(comparison, 'trec');
    expect(runs.map((r) => r.name)).toEqual([expect.stringMatching(/-model_a\.run$/), expect.stringMatching(/-model-b\.run$/)]);
    const [zip] = exportFiles(comparison, 'trec-zip');
    expect(zip).toMatchObject({ name: expect.stringMatching(/-runs\.zip$/), mime: 'application/zip' });
    const entries = unzipSync((zip as { bytes: Uint8Array }).bytes);
    expect(Object.keys(entries)).toEqual(runs.map((r) => r.name));
    for (const run of runs) expect(strFromU8(entries[run.name])).toBe((run as { text: string }).text);
  });

  it('writes the per-query CSV with the byte-order mark Excel needs for UTF-8', () => {
    const [csv] = exportFiles(comparison, 'csv') as { text: string }[];
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toContain('Δ model-b − model a ndcg@3');
  });
});
