import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import { DataError } from '../data/dataset.ts';
import { TextCollection } from '../data/textCollection.ts';
import { reportJson } from '../report/evalReport.ts';
import { compareCheckpoints, rescoreComparison } from './compare.ts';
import { parseStoredReport, pickStoredModel, reportCheckpoint } from './reportCheckpoint.ts';
import { judgmentsById, judgmentsOf } from '../../../tests/fixtures/judgments.ts';

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
    const circle = circleDataset();
    const queries = TextCollection.fromRecords([{ id: 'q1', text: 'east-ish' }, { id: 'q2', text: 'west-ish' }]);
    // q3 is gone, and its judgment with it.
    const changed = { ...circle, queries, judgments: judgmentsOf(queries, circle.documents, [...judgmentsById(circle)].filter(([q]) => q !== 'q3')) };
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

  describe('a report checked against its schema when it is read, naming the JSON path of the first bad value', () => {
    /** A's report as JSON, changed by `edit`, read back: the error's message (or "read" when it is accepted). */
    async function edited(edit: (report: Record<string, any>) => void): Promise<string> {
      const { report } = await compareCheckpoints(circleDataset(), [A(), B()], OPTIONS);
      const json = JSON.parse(reportJson(report));
      edit(json);
      try {
        parseStoredReport(JSON.stringify(json), 'base.json');
        return 'read';
      } catch (error) {
        expect(error).toBeInstanceOf(DataError);
        return (error as Error).message;
      }
    }

    it('accepts what the lab wrote', async () => {
      expect(await edited(() => undefined)).toBe('read');
    });

    it('impossible values: NDCG 7.5, a negative recall, a metric outside [0, 1] or not the mean of its queries', async () => {
      expect(await edited((r) => (r.models[0].perQuery['ndcg@3'].q1 = 7.5))).toBe('base.json: models[0].perQuery["ndcg@3"]["q1"]: 7.5 is outside [0, 1]');
      expect(await edited((r) => (r.models[1].perQuery['recall@1'].q2 = -0.1))).toBe('base.json: models[1].perQuery["recall@1"]["q2"]: -0.1 is outside [0, 1]');
      expect(await edited((r) => (r.models[0].metrics['mrr@3'] = 1.5))).toBe('base.json: models[0].metrics["mrr@3"]: 1.5 is outside [0, 1]');
      expect(await edited((r) => (r.models[0].metrics['mrr@3'] = 0.125))).toBe('base.json: models[0].metrics["mrr@3"]: 0.125 is not the mean of its per-query values (1)');
    });

    it('per-query values missing, null or strings', async () => {
      expect(await edited((r) => (r.models[0].perQuery['mrr@3'].q2 = null))).toBe('base.json: models[0].perQuery["mrr@3"]["q2"]: null is not a number');
      expect(await edited((r) => (r.models[0].perQuery['mrr@3'].q2 = '0.5'))).toBe('base.json: models[0].perQuery["mrr@3"]["q2"]: "0.5" is not a number');
      expect(await edited((r) => delete r.models[0].perQuery['mrr@3'].q2)).toBe('base.json: models[0].perQuery["mrr@3"]: has no value for query "q2" (models[0].perQuery["ndcg@3"] has one)');
      expect(await edited((r) => delete r.models[1].perQuery['ndcg@3'].q1)).toBe('base.json: models[1].perQuery["ndcg@3"]: holds 1 queries where dataset.evaluatedQueries is 2');
    });

    it('an unknown mode, and metric keys that are not the per-query ones', async () => {
      expect(await edited((r) => (r.mode = 'fancy'))).toBe('base.json: mode: "fancy" is not a mode the lab scores in (sentence-transformers, trec)');
      expect(await edited((r) => r.metricKeys.push('map@100'))).toBe('base.json: models[0].perQuery: has no "map@100", which metricKeys lists');
      expect(await edited((r) => r.metricKeys.pop())).toBe('base.json: models[0].perQuery["recall@1"]: is not among metricKeys (ndcg@3, mrr@3)');
      expect(await edited((r) => (r.metricKeys[1] = 'ndcg@3'))).toBe('base.json: metricKeys[1]: "ndcg@3" is listed twice');
      expect(await edited((r) => (r.metricKeys[0] = 'bleu@3'))).toMatch(/^base\.json: metricKeys\[0\]: unknown metric "bleu@3"/);
    });

    it('a top list that is not [document id, score] pairs', async () => {
      expect(await edited((r) => (r.models[0].top.q1[1] = ['d2', null]))).toBe('base.json: models[0].top["q1"][1]: ["d2",null] is not a [document id, score] pair');
    });

    it('a fingerprint whose parts do not add up, when read, and whose digests were edited, before it is compared', async () => {
      expect(await edited((r) => (r.dataset.fingerprint.queries.count = 4))).toBe('base.json: dataset.fingerprint.queries.items: holds 3 entries where its count is 4');
      expect(await edited((r) => (r.dataset.fingerprint.documents.items = 'not base64!'))).toBe('base.json: dataset.fingerprint.documents.items: is not base64');
      expect(await edited((r) => (r.dataset.fingerprint.digest = 'abc'))).toBe('base.json: dataset.fingerprint.digest: "abc" is not a SHA-256 digest');
      expect(await edited((r) => (r.dataset.queries = 2))).toBe('base.json: dataset.fingerprint.queries.count: 3 where dataset.queries is 2');
      // A digest copied from other data reads as a fingerprint, and is caught when its items are hashed again.
      const { report } = await compareCheckpoints(circleDataset(), [A()], OPTIONS);
      const json = JSON.parse(reportJson(report));
      json.dataset.fingerprint.digest = 'f'.repeat(64);
      const tampered = parseStoredReport(JSON.stringify(json), 'base.json');
      const checkpoint = reportCheckpoint({ source: 'runs/base.json' }, tampered, pickStoredModel(tampered, 'base.json'));
      await expect(compareCheckpoints(circleDataset(), [checkpoint, B()], OPTIONS)).rejects.toThrow(
        'runs/base.json: dataset.fingerprint.digest: does not match what it fingerprints (the report was edited): evaluate the baseline again',
      );
      json.dataset.fingerprint.digest = report.dataset.fingerprint!.digest;
      json.dataset.fingerprint.judgments.digest = json.dataset.fingerprint.documents.digest;
      const swapped = parseStoredReport(JSON.stringify(json), 'base.json');
      await expect(compareCheckpoints(circleDataset(), [reportCheckpoint({ source: 'runs/base.json' }, swapped, swapped.models[0]), B()], OPTIONS)).rejects.toThrow(
        'runs/base.json: dataset.fingerprint.judgments.digest: does not match what it fingerprints',
      );
    });
  });
});
