import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import { DataError } from '../data/dataset.ts';
import { TextTable } from '../data/textTable.ts';
import { reportJson } from '../report/evalReport.ts';
import { compareCheckpoints, rescoreComparison } from './compare.ts';
import { parseStoredReport, pickStoredModel, reportCheckpoint } from './reportCheckpoint.ts';

const A = () => fixedVectors('model-a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]);
const B = () => fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1]);
const OPTIONS = { metricKeys: ['ndcg@3', 'mrr@3', 'recall@1'], mode: 'sentence-transformers' as const, stats: { seed: 7 }, diagnostics: false as const };

/** A's report as a file would hold it, read back. */
async function storedA() {
  const { report } = await compareCheckpoints(circleDataset(), [A()], OPTIONS);
  const stored = parseStoredReport(reportJson(report), 'a.json');
  return { stored, checkpoint: reportCheckpoint({ source: 'runs/a.json' }, stored, pickStoredModel(stored, 'a.json')) };
}

describe('a stored report as a checkpoint', () => {
  it('compares like the model it stores, without its vectors', async () => {
    const fresh = await compareCheckpoints(circleDataset(), [A(), B()], OPTIONS);
    const { checkpoint } = await storedA();
    const fromReport = await compareCheckpoints(circleDataset(), [checkpoint, B()], OPTIONS);
    expect(fromReport.report.comparisons).toEqual(fresh.report.comparisons);
    const [baseline] = fromReport.report.models;
    expect(baseline).toMatchObject({ name: 'model-a', kind: 'report', path: 'runs/a.json', fingerprint: 'given:model-a', rankedOn: 'stored report (cpu)' });
    expect(baseline.metrics).toEqual(fresh.report.models[0].metrics);
    // Its top lists are the stored ones, so the per-query view still has them.
    expect(baseline.top).toEqual(fresh.report.models[0].top);
    expect(fromReport.checkpoints[0].notes[0]).toMatch(/^results read from the stored report a\.json/);
  });

  it('re-scores on the metrics it stored, and refuses others or another mode', async () => {
    const { checkpoint } = await storedA();
    const comparison = await compareCheckpoints(circleDataset(), [checkpoint, B()], OPTIONS);
    expect(rescoreComparison(comparison, 'sentence-transformers', ['mrr@3']).report.models[0].metrics).toEqual({ 'mrr@3': comparison.report.models[0].metrics['mrr@3'] });
    expect(() => rescoreComparison(comparison, 'sentence-transformers', ['ndcg@5'])).toThrow(/model-a: the stored report has no per-query values for ndcg@5 \(it has ndcg@3, mrr@3, recall@1\)/);
    expect(() => rescoreComparison(comparison, 'trec', ['ndcg@3'])).toThrow(/scored in sentence-transformers mode/);
  });

  it('is an error naming the change when the data differ', async () => {
    const { checkpoint } = await storedA();
    const changed = { ...circleDataset(), queries: TextTable.fromRecords([{ id: 'q1', text: 'east-ish' }, { id: 'q2', text: 'west-ish' }]) };
    const attempt = compareCheckpoints(changed, [checkpoint, B()], OPTIONS);
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(/runs\/a\.json: the data changed since this baseline was evaluated — queries: 3 in the baseline, 2 now; 1 gone/);
  });

  it('rejects files that are not reports, and asks which model of several', async () => {
    expect(() => parseStoredReport('{', 'x.json')).toThrow(/x\.json: is not JSON/);
    expect(() => parseStoredReport('{"models": []}', 'x.json')).toThrow(/x\.json: is not an Embedding Lab report/);
    const { report } = await compareCheckpoints(circleDataset(), [A(), B()], OPTIONS);
    const noFingerprint = { ...report, dataset: { ...report.dataset, fingerprint: undefined } };
    expect(() => parseStoredReport(JSON.stringify(noFingerprint), 'old.json')).toThrow(/old\.json: has no data fingerprint/);
    const both = parseStoredReport(reportJson(report), 'two.json');
    expect(() => pickStoredModel(both, 'two.json')).toThrow(/two\.json: holds 2 models \("model-a", "model-b"\)/);
    expect(() => pickStoredModel(both, 'two.json', 'model-c')).toThrow(/has no model "model-c"; it holds "model-a", "model-b"/);
    expect(pickStoredModel(both, 'two.json', 'model-b').name).toBe('model-b');
  });
});
