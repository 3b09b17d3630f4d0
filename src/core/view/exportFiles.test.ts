import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import { compareCheckpoints, rescoreComparison } from '../eval/compare.ts';
import { exportFiles } from './exportFiles.ts';
import { labView } from './labView.ts';

const dataset = circleDataset();
const checkpoints = [fixedVectors('model a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]), fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1])];
const OPTIONS = { metricKeys: ['ndcg@3'], mode: 'sentence-transformers', stats: { seed: 7 } } as const;
const comparison = await compareCheckpoints(dataset, checkpoints, OPTIONS);
/** As the page's worker compares: no top lists in the report it keeps and sends. */
const pageComparison = await compareCheckpoints(dataset, checkpoints, { ...OPTIONS, topLists: false });
const textOf = (files: ReturnType<typeof exportFiles>) => files.map((f) => ('text' in f ? f.text : ''));

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

  it('builds the top lists the page never draws only when exporting: the JSON and Markdown are the CLI’s documents', () => {
    expect(pageComparison.topLists).toBe(false);
    expect(pageComparison.report.models.map((m) => m.top)).toEqual([{}, {}]);
    expect(labView(pageComparison).report.models.map((m) => m.top)).toEqual([{}, {}]);
    expect(Object.keys(comparison.report.models[1].top)).toEqual(['q1', 'q2']);
    for (const kind of ['json', 'markdown', 'csv', 'trec'] as const) expect(textOf(exportFiles(pageComparison, kind)), kind).toEqual(textOf(exportFiles(comparison, kind)));
    // The same after a re-score in TREC mode, whose ties by id reorder model-b's q2.
    const [trec, pageTrec] = [comparison, pageComparison].map((c) => rescoreComparison(c, 'trec', ['ndcg@3']));
    expect(pageTrec.report.models[1].top).toEqual({});
    const [json] = textOf(exportFiles(pageTrec, 'json'));
    expect(json).toBe(textOf(exportFiles(trec, 'json'))[0]);
    expect(JSON.parse(json).models[1].top.q2.map(([id]: [string, number]) => id)).toEqual(['d2', 'd3', 'd1', 'd5', 'd4']);
  });
});
