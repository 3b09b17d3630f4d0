import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../../tests/fixtures/comparisonCase.ts';
import { rankingsOf } from '../../../../tests/fixtures/rankings.ts';
import type { Dataset } from '../../data/dataset.ts';
import { TextCollection } from '../../data/textCollection.ts';
import type { RankingCheckpoint } from '../checkpoint.ts';
import { compareCheckpoints, rescoreComparison } from '../compare.ts';
import { assignFolds } from './crossValidatedWeight.ts';
import type { FusionMethod } from './fuseRankings.ts';
import { cutAt, formatFusionMethod, fusionCheckpoint, FusionError, parseFuseSpec } from './fusionCheckpoint.ts';
import { judgmentsById, judgmentsOf } from '../../../../tests/fixtures/judgments.ts';
import type { Rankings } from '../../data/rankings.ts';

// compare.test.ts works these out: A ranks q1 → d1 d2 d3 d5 d4 and q2 → d4 d3 d5 d2 d1; B ranks
// q1 → d3 d2 d1 d4 d5 and q2 → d2 (d1 = d3) (d4 = d5), ties by row.
const A = fixedVectors('model-a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]);
const B = fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1]);
const KEYS = ['accuracy@1', 'recall@1', 'ndcg@3', 'mrr@10', 'map@100'];
const OPTIONS = { metricKeys: KEYS, mode: 'sentence-transformers' as const, stats: { seed: 7 } };

/** A ranking checkpoint over given (row, score) lists, best first. */
function runCheckpoint(name: string, lists: [number, number][][], extra: { ranksOnly?: boolean; unknownIds?: string[] } = {}): RankingCheckpoint {
  const rankings = rankingsOf(lists, extra.unknownIds ?? []);
  return { kind: 'ranking', name, source: `${name}.run`, rankings: async () => ({ rankings, backend: 'run file', fingerprint: `run:${name}`, notes: [], ...(extra.ranksOnly ? { ranksOnly: true } : {}) }) };
}

describe('a fusion checkpoint in the comparison', () => {
  it('scores rrf of two vector checkpoints like any model: metrics, deltas, intervals, a report entry', async () => {
    const rrf = fusionCheckpoint({ name: 'hybrid', inputs: ['model-a', 'model-b'], method: { name: 'rrf', k: 60 } });
    const { checkpoints, report } = await compareCheckpoints(circleDataset(), [A, B, rrf], OPTIONS);
    // q1: d1 = 1/61 + 1/63 = d3 (tied, d1 first) > d2 = 2/62 > d4 = d5 = 1/64 + 1/65.
    // q2: d4 = 1/61 + 1/64 = d2 (tied, d2 first) > d3 = 1/62 + 1/63 > d1 = 1/65 + 1/62 > d5 = 1/63 + 1/65.
    const fused = report.models[2];
    expect(fused.top.q1.map(([id]) => id)).toEqual(['d1', 'd3', 'd2', 'd4', 'd5']);
    expect(fused.top.q1[0][1]).toBe(Math.fround(1 / 61 + 1 / 63));
    expect(fused.top.q2.map(([id]) => id)).toEqual(['d2', 'd4', 'd3', 'd1', 'd5']);
    // q1's relevant d1, d3 at ranks 1, 2; q2's relevant d4 at rank 2 (d2 is judged not relevant).
    const { metrics } = checkpoints[2].evaluation;
    expect(metrics['accuracy@1']).toBe(0.5);
    expect(metrics['recall@1']).toBe(0.25);
    expect(metrics['ndcg@3']).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    expect(metrics['mrr@10']).toBe(0.75);
    expect(metrics['map@100']).toBe(0.75);
    // Compared with each input: A's mrr@10 is 1, B's (1 + 1/4) / 2.
    const [, againstA, againstB] = report.comparisons;
    expect([againstA.a, againstA.b, againstB.a, againstB.b]).toEqual(['model-a', 'hybrid', 'model-b', 'hybrid']);
    expect(againstA.metrics['mrr@10']).toMatchObject({ delta: -0.25, wins: 0, ties: 1, losses: 1 });
    expect(againstB.metrics['mrr@10'].delta).toBeCloseTo(0.125, 12);
    expect(againstB.metrics['mrr@10'].ci95[0]).toBeLessThanOrEqual(againstB.metrics['mrr@10'].ci95[1]);
    expect(againstB.metrics['mrr@10'].pHolm).toBeGreaterThan(0);
    expect(fused).toMatchObject({ kind: 'fusion', path: 'fusion:rrf@60:model-a,model-b', rankedOn: 'fusion', backend: 'fusion', dim: null, depth: 5, diagnosticsNote: expect.stringMatching(/not available for a fusion/) });
    expect(fused.fusion).toEqual({ inputs: ['model-a', 'model-b'], method: 'rrf', spec: 'rrf@60', k: 60, normalization: 'none', depth: 100, inputDepths: [5, 5] });
    expect(fused.notes.join('\n')).toMatch(/top 100 of each input's list per query \(model-a holds at most 5; model-b holds at most 5\)/);
    expect(fused.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the fused lists when re-scored in TREC mode, reordering their ties by id as for any ranking', async () => {
    const rrf = fusionCheckpoint({ name: 'hybrid', inputs: ['model-a', 'model-b'], method: { name: 'rrf', k: 60 } });
    const comparison = await compareCheckpoints(circleDataset(), [A, B, rrf], OPTIONS);
    const trec = rescoreComparison(comparison, 'trec', ['mrr']);
    expect(trec.checkpoints[2].rankings).toBe(comparison.checkpoints[2].rankings);
    expect(trec.report.models[2].top.q1.map(([id]) => id)).toEqual(['d3', 'd1', 'd2', 'd5', 'd4']);
    expect(trec.report.models[2].fusion).toEqual(comparison.report.models[2].fusion);
  });

  it('fuses a run file with a model, documents outside the corpus included', async () => {
    // q1: d3 9, "zz" 8; q2: d4 5, d2 4; q3: nothing.
    const bm25 = runCheckpoint('bm25', [[[2, 9], [-1, 8]], [[3, 5], [1, 4]], []], { unknownIds: ['zz'] });
    const mnz = fusionCheckpoint({ name: 'mnz', inputs: ['bm25', 'model-a'], method: { name: 'combmnz' } });
    const { report } = await compareCheckpoints(circleDataset(), [A, bm25, mnz], OPTIONS);
    // q1, min-max: bm25 d3 1, zz 0; A's cosines d1 0.9939, d2 0.8614, d3 0.1104, d5 −0.1104, d4 −0.9939 →
    // d1 1, d2 0.9333, d3 0.5556, d5 0.4444, d4 0. combmnz: d3 (0.5556 + 1) × 2 > d1 > d2 > d5 > d4 0 = zz 0 × 1
    // (tied: the corpus's document first).
    expect(report.models[2].top.q1.map(([id]) => id)).toEqual(['d3', 'd1', 'd2', 'd5', 'd4', 'zz']);
    expect(report.models[2].fusion).toMatchObject({ method: 'combmnz', spec: 'combmnz+min-max', normalization: 'min-max', inputDepths: [2, 5] });
    expect(report.models[2].notes.join('\n')).toMatch(/bm25 holds at most 2/);
  });

  it('reads deeper lists when asked, and the comparison ranks that deep', async () => {
    const deep = fusionCheckpoint({ name: 'deep', inputs: ['model-a', 'model-b'], method: { name: 'combsum' }, depth: 300 });
    const comparison = await compareCheckpoints(circleDataset(), [A, B, deep], OPTIONS);
    expect(comparison.depth).toBe(300);
    expect(comparison.report.models[2].fusion?.depth).toBe(300);
  });
});

describe('what a fusion refuses, by name', () => {
  const fuse = (inputs: string[], method: FusionMethod = { name: 'rrf', k: 60 }) => fusionCheckpoint({ name: 'hybrid', inputs, method });

  it('an unknown input, one placed after the fusion, or itself', async () => {
    await expect(compareCheckpoints(circleDataset(), [A, fuse(['model-a', 'model-c']), B], OPTIONS)).rejects.toThrow(
      new FusionError('hybrid', 'no checkpoint "model-c" to fuse; the comparison has "model-a", "model-b"'),
    );
    await expect(compareCheckpoints(circleDataset(), [A, fuse(['model-a', 'model-b']), B], OPTIONS)).rejects.toThrow(/hybrid: "model-b" comes after the fusion/);
    await expect(compareCheckpoints(circleDataset(), [A, fuse(['model-a', 'hybrid'])], OPTIONS)).rejects.toThrow(/hybrid: a fusion cannot fuse itself/);
  });

  it('fewer than two inputs, or one twice', () => {
    expect(() => fuse(['model-a'])).toThrow(/hybrid: a fusion needs at least two inputs, got 1 \("model-a"\)/);
    expect(() => fuse(['model-a', 'model-a'])).toThrow(/"model-a" is listed twice/);
  });

  it('a score-based method over an input without scores; rrf takes it', async () => {
    const positions = runCheckpoint('positions', [[[0, 0], [2, 0]], [[3, 0]], []], { ranksOnly: true });
    const constant = runCheckpoint('constant', [[[0, 1], [2, 1]], [[3, 1]], []]);
    for (const input of [positions, constant]) {
      await expect(compareCheckpoints(circleDataset(), [A, input, fuse(['model-a', input.name], { name: 'combsum' })], OPTIONS)).rejects.toThrow(
        new RegExp(`hybrid: combsum reads scores, but "${input.name}" has positions only .*fuse it with rrf`),
      );
      const { report } = await compareCheckpoints(circleDataset(), [A, input, fuse(['model-a', input.name])], OPTIONS);
      expect(report.models[2].kind).toBe('fusion');
    }
  });

  it('a cross-validated weight without two evaluated queries, or over three inputs', async () => {
    const cv = fusionCheckpoint({ name: 'cv', inputs: ['model-a', 'model-b'], method: { name: 'wsum', weights: null } });
    // The circle has two evaluated queries: enough. One judged query is not.
    const one = circleDataset();
    const onlyQ1: Dataset = { ...one, judgments: judgmentsOf(one.queries, one.documents, [...judgmentsById(one)].filter(([q]) => q === 'q1')) };
    await expect(compareCheckpoints(onlyQ1, [A, B, cv], OPTIONS)).rejects.toThrow(/cv: a cross-validated weight needs at least 2 queries with a relevant document, there is 1; give the weight/);
    expect(() => fusionCheckpoint({ name: 'cv3', inputs: ['a', 'b', 'c'], method: { name: 'wsum', weights: null } })).toThrow(/cv3: wsum over 3 inputs needs one weight per input \(wsum@0.33,0.33,0.33\)/);
    expect(() => fusionCheckpoint({ name: 'cv', inputs: ['a', 'b'], method: { name: 'wsum', weights: null }, criterion: 'ndcg' })).toThrow(/cv: the cross-validation criterion: metric "ndcg" needs a cutoff/);
    expect(() => fusionCheckpoint({ name: 'd', inputs: ['a', 'b'], method: { name: 'combsum' }, depth: 0 })).toThrow(/d: depth must be a whole number of results, at least 1; got 0/);
  });
});

describe('--fuse NAME=METHOD:A,B', () => {
  it('reads methods, parameters and normalisations', () => {
    expect(parseFuseSpec('hybrid=rrf:bm25,model')).toEqual({ name: 'hybrid', inputs: ['bm25', 'model'], method: { name: 'rrf', k: 60 } });
    expect(parseFuseSpec('h=rrf@10:a,b,c').method).toEqual({ name: 'rrf', k: 10 });
    expect(parseFuseSpec('h=combsum:a,b').method).toEqual({ name: 'combsum' });
    expect(parseFuseSpec('h=mnz+zmuv:a, b')).toEqual({ name: 'h', inputs: ['a', 'b'], method: { name: 'combmnz' }, normalization: 'zmuv' });
    expect(parseFuseSpec('h=wsum@0.3:a,b').method).toEqual({ name: 'wsum', weights: [0.3, 0.7] });
    expect(parseFuseSpec('h=wsum:a,b').method).toEqual({ name: 'wsum', weights: null });
    expect(parseFuseSpec('h=wsum@0.5,0.3,0.2+max:a,b,c')).toMatchObject({ method: { name: 'wsum', weights: [0.5, 0.3, 0.2] }, normalization: 'max' });
    expect(parseFuseSpec('h=sum+min_max:epoch-1/model,epoch-2/model')).toMatchObject({ inputs: ['epoch-1/model', 'epoch-2/model'], normalization: 'min-max' });
  });

  it('names what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['hybrid', /expected NAME=METHOD:A,B/],
      ['h=borda:a,b', /h: unknown fusion method "borda"/],
      ['h=rrf:a', /at least two inputs/],
      ['h=rrf:a,,b', /an empty input name/],
      ['h=rrf@x:a,b', /rrf's k "x" is not a number/],
      ['h=rrf@2.5:a,b', /rrf's k must be a whole number/],
      ['h=rrf+min-max:a,b', /rrf reads ranks: a normalisation \(min-max\) would change nothing/],
      ['h=combsum@2:a,b', /combsum takes no parameter/],
      ['h=combsum+l2:a,b', /unknown normalisation "l2"/],
      ['h=wsum@1.5:a,b', /W must lie in \[0, 1\], got 1.5/],
      ['h=wsum@-0.2:a,b', /weight "-0.2" is not a number/],
      ['h=wsum@0.3:a,b,c', /wsum@W is for two inputs; for 3, give one weight per input/],
      ['h=wsum@0.3,0.7:a,b,c', /2 weights for 3 inputs/],
      ['h=wsum@0,0:a,b', /the weights are all 0/],
      ['h=wsum:a,b,c', /wsum over 3 inputs needs one weight per input/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseFuseSpec(text), text).toThrow(FusionError);
      expect(() => parseFuseSpec(text), text).toThrow(message);
    }
  });

  it('writes the method back as the report names it', () => {
    expect(formatFusionMethod({ name: 'rrf', k: 60 })).toBe('rrf@60');
    expect(formatFusionMethod({ name: 'wsum', weights: [0.3, 0.7] })).toBe('wsum@0.3+min-max');
    expect(formatFusionMethod({ name: 'wsum', weights: null }, 'zmuv')).toBe('wsum+zmuv');
    expect(formatFusionMethod({ name: 'wsum', weights: [1, 2, 3] }, 'none')).toBe('wsum@1,2,3+none');
  });
});

describe('the lists a cutoff reads', () => {
  it('keeps the first k and whatever ties with the k-th (TREC mode may reorder that group)', () => {
    const r: Rankings = {
      offsets: Int32Array.of(0, 5, 6, 6),
      docs: Int32Array.of(0, 1, 2, 3, 4, 0),
      scores: Float32Array.of(0.9, 0.5, 0.5, 0.5, 0.1, 0.3),
      unknownIds: [],
    };
    const cut = cutAt(r, 2);
    expect(Array.from(cut.offsets)).toEqual([0, 4, 5, 5]);
    expect(Array.from(cut.docs)).toEqual([0, 1, 2, 3, 0]);
    expect(Array.from(cutAt(r, 1).docs)).toEqual([0, 0]);
    expect(cutAt(r, Infinity)).toBe(r);
  });
});

describe('a cross-validated weight, end to end', () => {
  /**
   * 25 queries, each with a relevant document that only one of two run files ranks first (see
   * crossValidatedWeight.test.ts): the "A" queries want W > 0.5, the "B" ones W < 0.5. Folds drawn with the
   * report's seed, as the comparison draws them over its evaluated queries.
   */
  const SEED = 5;
  const N = 25;
  const fold = assignFolds(N, 5, SEED);
  const seen = [0, 0, 0, 0, 0];
  const kinds = Array.from(fold, (f) => (f === 0 || f === 1 || (f === 2 && seen[f]++ < 3) ? 'A' : 'B'));
  const documents = TextCollection.fromRecords(Array.from({ length: 4 * N }, (_, d) => ({ id: `d${d}`, text: `document ${d}` })));
  const queries = TextCollection.fromRecords(Array.from({ length: N }, (_, q) => ({ id: `q${q}`, text: `query ${q}` })));
  const dataset: Dataset = {
    name: 'two kinds',
    format: 'three tables',
    documents,
    queries,
    judgments: judgmentsOf(queries, documents, Array.from({ length: N }, (_, q) => [`q${q}`, [[`d${4 * q + 1}`, 1]]] as const)),
    warnings: [],
  };
  const a = runCheckpoint('a', kinds.map((kind, q) => [[kind === 'A' ? 4 * q + 1 : 4 * q, 0.9], [4 * q + 2, 0.1]]));
  const b = runCheckpoint('b', kinds.map((kind, q) => [[kind === 'B' ? 4 * q + 1 : 4 * q, 0.9], [4 * q + 3, 0.1]]));

  it('records the folds, their weights and the curve; the fused metrics are the held-out ones', async () => {
    const cv = fusionCheckpoint({ name: 'cv', inputs: ['a', 'b'], method: { name: 'wsum', weights: null } });
    const { report, checkpoints } = await compareCheckpoints(dataset, [a, b, cv], { metricKeys: ['accuracy@1', 'mrr@10'], mode: 'sentence-transformers', stats: { seed: SEED } });
    const info = report.models[2].fusion!;
    expect(info).toMatchObject({ method: 'wsum', spec: 'wsum+min-max', normalization: 'min-max', crossValidation: { folds: 5, seed: SEED, criterion: 'accuracy@1', mode: 'sentence-transformers', weight: 0.55 } });
    expect(info.crossValidation!.grid).toHaveLength(21);
    expect(info.weights).toBeUndefined();
    expect(info.folds!.map((f) => f.weight)).toEqual([0.45, 0.45, 0.45, 0.55, 0.55]);
    expect(info.folds!.flatMap((f) => f.queries).sort()).toEqual(Array.from({ length: N }, (_, q) => `q${q}`).sort());
    expect(info.folds![0].queries).toEqual(Array.from({ length: N }, (_, q) => q).filter((q) => fold[q] === 0).map((q) => `q${q}`));
    expect(info.curve!.find((c) => c.weight === 0.55)!.value).toBe(13 / 25);
    // Honest: the fused accuracy@1 is each fold's held-out value, not the curve's in-sample 13/25.
    const heldOut = info.folds!.reduce((s, f) => s + f.value * f.queries.length, 0) / N;
    expect(heldOut).toBe(2 / 25);
    expect(checkpoints[2].evaluation.metrics['accuracy@1']).toBeCloseTo(heldOut, 12);
    expect(report.models[2].notes.join('\n')).toMatch(/5-fold cross-validation over queries \(seed 5\) on accuracy@1 .* \(0.45, 0.45, 0.45, 0.55, 0.55\)/);
  });

  it('takes a given weight as it is', async () => {
    const fixed = fusionCheckpoint({ name: 'w', inputs: ['a', 'b'], method: { name: 'wsum', weights: [0.55, 0.45] } });
    const { report, checkpoints } = await compareCheckpoints(dataset, [a, b, fixed], { metricKeys: ['accuracy@1'], mode: 'sentence-transformers' });
    expect(checkpoints[2].evaluation.metrics['accuracy@1']).toBe(13 / 25);
    expect(report.models[2].fusion).toMatchObject({ spec: 'wsum@0.55,0.45+min-max', weights: [0.55, 0.45] });
    expect(report.models[2].fusion?.folds).toBeUndefined();
  });
});
