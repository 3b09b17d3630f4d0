import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import { rankingsOf } from '../../../tests/fixtures/rankings.ts';
import type { RankingCheckpoint, VectorCheckpoint } from './checkpoint.ts';
import { compareCheckpoints, rescoreComparison, type ComparisonProgress } from './compare.ts';
import { defaultMetricKeys } from '../metrics/registry.ts';

// Worked out in comparisonCase.ts: A ranks q1 → d1 d2 d3 d5 d4 and q2 → d4 d3 d5 d2 d1;
// B ranks q1 → d3 d2 d1 d4 d5 and q2 → d2 (d1 = d3) (d4 = d5), ties by row.
const A = fixedVectors('model-a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]);
const B = fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1]);
const KEYS = ['accuracy@1', 'recall@1', 'ndcg@3', 'mrr@10', 'map@100'];
const OPTIONS = { metricKeys: KEYS, mode: 'sentence-transformers' as const, stats: { seed: 7 } };

/** A run file's rankings, by row: `lists[q]` is query row q's (document row, score) list, best first. */
function runCheckpoint(name: string, lists: [number, number][][], unknownIds: string[] = []): RankingCheckpoint {
  const rankings = rankingsOf(lists, unknownIds);
  return { kind: 'ranking', name, source: `${name}.run`, rankings: async () => ({ rankings, backend: 'run file', fingerprint: `run:${name}`, notes: [] }) };
}

describe('the comparison pipeline', () => {
  it('ranks, judges and scores each checkpoint, by hand-computed values', async () => {
    const { checkpoints, report } = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    const [a, b] = checkpoints;
    // q3 has no relevant document: left out, as sentence-transformers does.
    expect(Array.from(a.evaluation.queryRows)).toEqual([0, 1]);
    expect(Array.from(a.evaluation.skippedRows)).toEqual([2]);
    expect(a.evaluation.metrics['recall@1']).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(a.evaluation.metrics['ndcg@3']).toBeCloseTo((1.5 / (1 + 1 / Math.log2(3)) + 1) / 2, 12);
    expect(b.evaluation.metrics['mrr@10']).toBeCloseTo((1 + 1 / 4) / 2, 12);
    expect(b.evaluation.metrics['map@100']).toBeCloseTo(((1 + 2 / 3) / 2 + 1 / 4) / 2, 12);
    expect(report.comparisons[0].metrics['mrr@10'].delta).toBeCloseTo(-3 / 8, 12);
    expect(report.comparisons[0].metrics['mrr@10']).toMatchObject({ wins: 0, ties: 1, losses: 1 });
  });

  it('turns rows into ids only in the report, in the order the mode ranks', async () => {
    const { report } = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    expect(report.dataset).toMatchObject({ name: 'circle', queries: 3, documents: 5, judgments: 5, evaluatedQueries: 2, skippedQueries: 1 });
    const [a, b] = report.models;
    expect(a).toMatchObject({ name: 'model-a', path: 'memory:model-a', kind: 'vectors', backend: 'given', rankedOn: 'cpu', dim: 2, depth: 5 });
    expect(Object.keys(a.perQuery['mrr@10'])).toEqual(['q1', 'q2']);
    expect(a.top.q1.map(([id]) => id)).toEqual(['d1', 'd2', 'd3', 'd5', 'd4']);
    expect(b.top.q2.map(([id]) => id)).toEqual(['d2', 'd1', 'd3', 'd4', 'd5']);
    expect(b.top.q2[1][1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('re-scores in TREC mode without ranking again: ties by id descending, graded gains', async () => {
    const comparison = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    const trec = rescoreComparison(comparison, 'trec', ['mrr', 'ndcg@3']);
    expect(trec.checkpoints[1].rankings).toBe(comparison.checkpoints[1].rankings);
    // B, q2: (d1 = d3) and (d4 = d5) reorder to d3 d1 and d5 d4: the relevant d4 falls to rank 5.
    expect(trec.report.models[1].top.q2.map(([id]) => id)).toEqual(['d2', 'd3', 'd1', 'd5', 'd4']);
    expect(trec.checkpoints[1].evaluation.metrics.mrr).toBeCloseTo((1 + 1 / 5) / 2, 12);
    // A, q1 with grades d1 = 1, d3 = 2 at ranks 1 and 3: DCG = 1 + 2/2, IDCG = 2 + 1/log2(3).
    expect(trec.checkpoints[0].evaluation.perQuery['ndcg@3'][0]).toBeCloseTo(2 / (2 + 1 / Math.log2(3)), 12);
    expect(trec.report.mode).toBe('trec');
  });

  it('reads health before normalising, then keeps unit rows (once, in place) for the page', async () => {
    const { checkpoints } = await compareCheckpoints(circleDataset(), [A, B], { ...OPTIONS, keepVectors: true });
    const [a] = checkpoints;
    expect(a.diagnostics!.health.norm.max).toBeCloseTo(2, 6);
    const d5 = (a.vectors!.documents as Float32Array).subarray(8, 10);
    expect(Array.from(d5)).toEqual([0, -1]);
    expect(a.diagnostics!.details.labels).toMatchObject({ kind: 'column', labels: 2, points: 4 });
    const { checkpoints: lean } = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    expect(lean[0].vectors).toBeNull();
  });

  it('scores a run file as given, counting ids outside the corpus as retrieved and not relevant', async () => {
    // q1: d3 then d1; q2: an unknown document, then d4; q3: nothing.
    const run = runCheckpoint('bm25', [[[2, 9], [0, 8]], [[-1, 5], [3, 4]], []], ['zz']);
    const { checkpoints, report } = await compareCheckpoints(circleDataset(), [A, run], OPTIONS);
    const r = checkpoints[1];
    expect(r.evaluation.perQuery['mrr@10'][1]).toBe(1 / 2);
    expect(r.evaluation.perQuery['recall@1'][0]).toBe(1 / 2);
    expect(report.models[1]).toMatchObject({ kind: 'ranking', rankedOn: 'run file', dim: null, depth: 2, diagnosticsNote: expect.stringMatching(/not available for a ranking/) });
    expect(report.models[1].diagnostics).toBeUndefined();
    expect(report.models[1].top.q2).toEqual([['zz', 5], ['d4', 4]]);
    expect(report.comparisons[0].diagnostics).toBeUndefined();
  });

  it('gives a run of the same ranking the same metrics as the vectors it came from', async () => {
    const first = await compareCheckpoints(circleDataset(), [A], OPTIONS);
    const { rankings } = first.checkpoints[0];
    const lists = [0, 1, 2].map((q) => Array.from({ length: rankings.offsets[q + 1] - rankings.offsets[q] }, (_, i): [number, number] => [rankings.docs[rankings.offsets[q] + i], rankings.scores[rankings.offsets[q] + i]]));
    const { checkpoints, report } = await compareCheckpoints(circleDataset(), [A, runCheckpoint('a-run', lists)], OPTIONS);
    expect(checkpoints[1].evaluation.metrics).toEqual(checkpoints[0].evaluation.metrics);
    for (const key of KEYS) expect(report.comparisons[0].metrics[key]).toMatchObject({ delta: 0, wins: 0, losses: 0 });
  });

  it('reports each stage of each checkpoint, under the names the report uses', async () => {
    const seen: ComparisonProgress[] = [];
    const twin = { ...fixedVectors('model', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]), source: 'runs/epoch-1/model' };
    const other = { ...fixedVectors('model', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1]), source: 'runs/epoch-2/model' };
    const { report } = await compareCheckpoints(circleDataset(), [twin, other], { ...OPTIONS, onProgress: (p) => void seen.push(p) });
    expect(report.models.map((m) => m.name)).toEqual(['epoch-1/model', 'epoch-2/model']);
    expect(seen.filter((p) => p.checkpoint === 0).map((p) => `${p.stage} ${p.done}/${p.total}${p.step ? ` ${p.step}` : ''}`)).toEqual([
      'vectors 1/1',
      'rank 0/3',
      'rank 3/3',
      'diagnostics 0/5 clusters',
      'diagnostics 1/5 silhouette and separation',
      'diagnostics 2/5 neighbour coherence',
      'diagnostics 3/5 uniformity, spread and rank',
      'diagnostics 4/5 score distributions',
      'diagnostics 5/5',
    ]);
    expect(seen.find((p) => p.checkpoint === 1)?.name).toBe('epoch-2/model');
    expect(seen.at(-1)).toMatchObject({ checkpoint: null, name: null, stage: 'report' });
  });

  it('stops when cancelled, and rejects vectors that do not fit the dataset', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('run cancelled', 'AbortError'));
    await expect(compareCheckpoints(circleDataset(), [A, B], { ...OPTIONS, signal: controller.signal })).rejects.toThrow(/run cancelled/);
    const short = fixedVectors('short', CIRCLE_DOCUMENTS.slice(0, 8), [0.9, 0.1, -1, 0.2, 0, -1]);
    await expect(compareCheckpoints(circleDataset(), [short], OPTIONS)).rejects.toThrow(/short: 4 document and 3 query vectors for 5 documents and 3 queries/);
  });

  it('ranks at least as deep as the deepest cutoff asks', async () => {
    const { depth, checkpoints } = await compareCheckpoints(circleDataset(), [A], { ...OPTIONS, metricKeys: [...defaultMetricKeys(), 'recall@1000'] });
    expect(depth).toBe(1000);
    expect(checkpoints[0].depth).toBe(5); // the corpus has five documents
  });
});

describe("a model's own similarity function", () => {
  /** d5 = (0, −2) is long: dot and distances rank it unlike cosine does. */
  const scored = (similarity: 'dot' | 'euclidean' | 'manhattan'): VectorCheckpoint => {
    const base = fixedVectors(`model-${similarity}`, CIRCLE_DOCUMENTS, [0.2, -0.5, 0.1, -0.9, 0, -1]);
    return { ...base, vectors: async (dataset, context) => ({ ...(await base.vectors(dataset, context)), similarity }) };
  };

  it('ranks by the dot product of the vectors as the model gives them', async () => {
    const { report } = await compareCheckpoints(circleDataset(), [scored('dot')], OPTIONS);
    // q2 = (0.1, −0.9): the long d5 = (0, −2) scores 1.8 (its cosine would be 0.994); q1 = (0.2, −0.5): d5 scores 1.
    expect(report.models[0].top.q2[0][0]).toBe('d5');
    expect(report.models[0].top.q2[0][1]).toBeCloseTo(1.8, 6);
    expect(report.models[0].top.q1.map(([id]) => id)).toEqual(['d5', 'd1', 'd2', 'd4', 'd3']);
    expect(report.models[0].top.q1[0][1]).toBeCloseTo(1, 6);
  });

  it('ranks by the negated euclidean and manhattan distances, as sentence-transformers scores them', async () => {
    const { report } = await compareCheckpoints(circleDataset(), [scored('euclidean'), scored('manhattan')], OPTIONS);
    // q2 = (0.1, −0.9): d5 (0, −2) is 1.1045 away (L2) and 1.2 (L1); d1 (1, 0) is √1.62 and 1.8.
    expect(report.models[0].top.q2[0][0]).toBe('d5');
    expect(report.models[0].top.q2[0][1]).toBeCloseTo(-Math.hypot(0.1, 1.1), 6);
    expect(report.models[1].top.q2[0][1]).toBeCloseTo(-1.2, 6);
    expect(report.models[0].rankedOn).toBe('cpu');
  });
});
