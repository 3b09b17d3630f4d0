import { describe, expect, it } from 'vitest';
import type { Judgments } from '../data/judgments.ts';
import type { EvaluationMode, Rankings } from '../data/rankings.ts';
import { judgeRun } from './judgedRun.ts';
import { RankingOrder } from './rankings.ts';
import { rankingsOf } from '../../../tests/fixtures/rankings.ts';
import { defaultMetricKeys, evaluateJudged, parseMetricKey, requiredDepth } from './registry.ts';

type QrelsLiteral = Record<string, Record<string, number>>;
type RunLiteral = Record<string, [string, number][]>;
const qrels = (entries: QrelsLiteral) => entries;
const run = (entries: RunLiteral) => entries;

/**
 * Hand-written cases by id, turned into the rows the metrics take: queries and documents numbered in order
 * of first appearance (judgments first), lists kept exactly as written.
 */
function evaluate(r: RunLiteral, q: QrelsLiteral, keys: string[], mode: EvaluationMode = 'sentence-transformers') {
  const queryIds = [...new Set([...Object.keys(q), ...Object.keys(r)])];
  const docIds: string[] = [];
  const docRow = (id: string) => {
    const row = docIds.indexOf(id);
    return row >= 0 ? row : docIds.push(id) - 1;
  };
  const judged = Object.entries(q);
  const judgments: Judgments = {
    queries: Int32Array.from(judged, ([id]) => queryIds.indexOf(id)),
    offsets: Int32Array.from({ length: judged.length + 1 }, (_, i) => judged.slice(0, i).reduce((n, [, docs]) => n + Object.keys(docs).length, 0)),
    docs: Int32Array.from(judged.flatMap(([, docs]) => Object.keys(docs).map(docRow))),
    grades: Float64Array.from(judged.flatMap(([, docs]) => Object.values(docs))),
  };
  const rankings = rankingsOf(queryIds.map((id) => (r[id] ?? []).map(([d, score]) => [docRow(d), score] as const)));
  const result = evaluateJudged(judgeRun(RankingOrder.of(rankings, mode, (row) => docIds[row]), judgments), keys);
  return { ...result, queryIds: Array.from(result.queryRows, (row) => queryIds[row]), skippedQueries: Array.from(result.skippedRows, (row) => queryIds[row]) };
}

// One query, relevant {a, c, x}; x is never retrieved. Ranking: a (rel), b, c (rel), d, e.
const ONE = qrels({ q: { a: 1, c: 1, x: 1 } });
const ONE_RUN = run({ q: [['a', 0.9], ['b', 0.8], ['c', 0.7], ['d', 0.6], ['e', 0.5]] });

describe('sentence-transformers metrics, hand-computed', () => {
  it('accuracy, precision and recall at k', () => {
    const { metrics } = evaluate(ONE_RUN, ONE, ['accuracy@1', 'accuracy@2', 'precision@1', 'precision@3', 'precision@10', 'recall@1', 'recall@3']);
    expect(metrics['accuracy@1']).toBe(1);
    expect(metrics['accuracy@2']).toBe(1);
    expect(metrics['precision@1']).toBe(1);
    expect(metrics['precision@3']).toBeCloseTo(2 / 3, 15);
    // Five retrieved, k = 10: the divisor stays 10.
    expect(metrics['precision@10']).toBeCloseTo(2 / 10, 15);
    expect(metrics['recall@1']).toBeCloseTo(1 / 3, 15);
    expect(metrics['recall@3']).toBeCloseTo(2 / 3, 15);
  });

  it('MRR@k stops at the cutoff', () => {
    const late = run({ q: [['b', 0.9], ['d', 0.8], ['c', 0.7]] });
    expect(evaluate(late, ONE, ['mrr@10']).metrics['mrr@10']).toBeCloseTo(1 / 3, 15);
    expect(evaluate(late, ONE, ['mrr@2']).metrics['mrr@2']).toBe(0);
  });

  it('NDCG@k with binary gains and an ideal of min(k, |R|) ones', () => {
    // DCG@5 = 1/log2(2) + 1/log2(4) = 1.5; IDCG@5 = 1 + 1/log2(3) + 1/log2(4).
    const idcg = 1 + 1 / Math.log2(3) + 0.5;
    expect(evaluate(ONE_RUN, ONE, ['ndcg@5']).metrics['ndcg@5']).toBeCloseTo(1.5 / idcg, 15);
    // k = 1 < |R|: the ideal has one relevant document.
    expect(evaluate(ONE_RUN, ONE, ['ndcg@1']).metrics['ndcg@1']).toBe(1);
  });

  it('MAP@k divides by min(k, |R|)', () => {
    // Precisions at relevant ranks: 1/1, 2/3. |R| = 3.
    expect(evaluate(ONE_RUN, ONE, ['map@100']).metrics['map@100']).toBeCloseTo((1 + 2 / 3) / 3, 15);
    // k = 2 < |R|: only rank 1 counts, divided by 2.
    expect(evaluate(ONE_RUN, ONE, ['map@2']).metrics['map@2']).toBeCloseTo(1 / 2, 15);
  });

  it('counts nothing when no relevant document is retrieved', () => {
    const miss = run({ q: [['b', 0.9], ['d', 0.8]] });
    const { metrics } = evaluate(miss, ONE, defaultMetricKeys());
    for (const value of Object.values(metrics)) expect(value).toBe(0);
  });

  it('treats an empty ranking and a query missing from the run alike: all zeros', () => {
    const q = qrels({ q1: { a: 1 }, q2: { b: 1 } });
    const { metrics, queryIds } = evaluate(run({ q1: [] }), q, ['ndcg@10', 'mrr@10', 'recall@10']);
    expect(queryIds).toEqual(['q1', 'q2']);
    expect(metrics).toEqual({ 'ndcg@10': 0, 'mrr@10': 0, 'recall@10': 0 });
  });

  it('keeps queries without a relevant document out of the average and lists them', () => {
    const q = qrels({ q1: { a: 1 }, q2: { b: 0 }, q3: { a: 0, c: 2 } });
    const r = run({ q1: [['a', 1]], q2: [['b', 1]], q3: [['c', 1]] });
    const result = evaluate(r, q, ['accuracy@1']);
    expect(result.queryIds).toEqual(['q1', 'q3']);
    expect(result.skippedQueries).toEqual(['q2']);
    expect(result.metrics['accuracy@1']).toBe(1);
    expect(Array.from(result.perQuery['accuracy@1'])).toEqual([1, 1]);
  });

  it('judges by rank as given: duplicate scores keep the order of the list', () => {
    const q = qrels({ q: { b: 1 } });
    const tied = run({ q: [['a', 0.5], ['b', 0.5], ['c', 0.5]] });
    expect(evaluate(tied, q, ['mrr@10']).metrics['mrr@10']).toBe(0.5);
  });

  it('macro-averages over queries', () => {
    const q = qrels({ q1: { a: 1 }, q2: { b: 1 } });
    const r = run({ q1: [['a', 1]], q2: [['x', 1], ['b', 0.5]] });
    expect(evaluate(r, q, ['mrr@10']).metrics['mrr@10']).toBeCloseTo((1 + 0.5) / 2, 15);
  });
});

describe('rankings by row', () => {
  it('counts documents the corpus lacks (negative rows) as retrieved and not relevant, as trec_eval does', () => {
    const rankings: Rankings = { offsets: Int32Array.of(0, 3), docs: Int32Array.of(-1, 0, -2), scores: Float32Array.of(3, 2, 1), unknownIds: ['x', 'y'] };
    const judgments: Judgments = { queries: Int32Array.of(0), offsets: Int32Array.of(0, 1), docs: Int32Array.of(0), grades: Float64Array.of(1) };
    const { metrics } = evaluateJudged(judgeRun(RankingOrder.of(rankings, 'trec', (row) => (row >= 0 ? `d${row}` : rankings.unknownIds[-row - 1])), judgments), ['mrr', 'precision@3', 'recall@1']);
    expect(metrics).toEqual({ mrr: 1 / 2, 'precision@3': 1 / 3, 'recall@1': 0 });
  });

  it('scores a list shorter than the cutoff as the truncated list it is', () => {
    const { metrics } = evaluate(run({ q: [['b', 0.9], ['a', 0.8]] }), qrels({ q: { a: 1, z: 1 } }), ['precision@10', 'recall@10', 'ndcg@10']);
    expect(metrics['precision@10']).toBe(1 / 10);
    expect(metrics['recall@10']).toBe(1 / 2);
    expect(metrics['ndcg@10']).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 15);
  });
});

describe('TREC mode (trec_eval semantics)', () => {
  it('uses graded gains in NDCG', () => {
    const q = qrels({ q: { a: 1, b: 3, c: 0 } });
    const r = run({ q: [['a', 0.9], ['c', 0.8], ['b', 0.7]] });
    const dcg = 1 + 3 / Math.log2(4);
    const idcg = 3 + 1 / Math.log2(3);
    expect(evaluate(r, q, ['ndcg@10'], 'trec').metrics['ndcg@10']).toBeCloseTo(dcg / idcg, 15);
    // Binary in sentence-transformers mode: DCG = 1 + 0.5, IDCG = 1 + 1/log2(3).
    expect(evaluate(r, q, ['ndcg@10']).metrics['ndcg@10']).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 15);
  });

  it('divides AP by |R| even when k < |R|', () => {
    expect(evaluate(ONE_RUN, ONE, ['map@2'], 'trec').metrics['map@2']).toBeCloseTo(1 / 3, 15);
    expect(evaluate(ONE_RUN, ONE, ['map'], 'trec').metrics.map).toBeCloseTo((1 + 2 / 3) / 3, 15);
  });

  it('has a reciprocal rank without cutoff', () => {
    const late = run({ q: [['b', 0.9], ['d', 0.8], ['e', 0.75], ['f', 0.72], ['c', 0.7]] });
    expect(evaluate(late, ONE, ['mrr'], 'trec').metrics.mrr).toBeCloseTo(1 / 5, 15);
  });

  it('breaks score ties by document id descending', () => {
    const q = qrels({ q: { a: 1 } });
    const tied = run({ q: [['a', 0.5], ['b', 0.5], ['c', 0.5]] });
    // trec_eval orders c, b, a.
    expect(evaluate(tied, q, ['mrr'], 'trec').metrics.mrr).toBeCloseTo(1 / 3, 15);
    expect(evaluate(tied, q, ['mrr@10']).metrics['mrr@10']).toBe(1);
  });
});

describe('metric keys', () => {
  it('lists sentence-transformers defaults in its order', () => {
    expect(defaultMetricKeys()).toEqual([
      'accuracy@1', 'accuracy@3', 'accuracy@5', 'accuracy@10',
      'precision@1', 'precision@3', 'precision@5', 'precision@10',
      'recall@1', 'recall@3', 'recall@5', 'recall@10',
      'ndcg@5', 'ndcg@10', 'mrr@10', 'map@100',
    ]);
  });
  it('rejects unknown metrics and missing cutoffs with a message', () => {
    expect(() => parseMetricKey('f1@10')).toThrow(/unknown metric "f1@10"/);
    expect(() => parseMetricKey('ndcg')).toThrow(/needs a cutoff/);
    expect(() => parseMetricKey('recall@0')).toThrow(/at least 1/);
  });
  it('knows how deep retrieval must go', () => {
    expect(requiredDepth(['ndcg@10', 'map@100', 'recall@5'].map(parseMetricKey))).toBe(100);
    expect(requiredDepth(['ndcg@10', 'mrr'].map(parseMetricKey), 1000)).toBe(1000);
  });
});
