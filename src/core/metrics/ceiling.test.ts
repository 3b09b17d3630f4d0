import { describe, expect, it } from 'vitest';
import { metricCeilings } from './ceiling.ts';
import { TextCollection } from '../data/textCollection.ts';
import { judgmentsOf } from '../../../tests/fixtures/judgments.ts';

// q1: one relevant document; q2: three (grades 1, 2, 3) and one judged not relevant; q3: twelve.
const queries = TextCollection.numbered('q', ['one', 'two', 'three']);
const documents = TextCollection.fromRecords(['a', 'b', 'c', 'd', ...Array.from({ length: 12 }, (_, i) => `d${i}`)].map((id) => ({ id, text: id })));
const judgments = judgmentsOf(queries, documents, {
  q1: { a: 1 },
  q2: { a: 1, b: 2, c: 3, d: 0 },
  q3: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d${i}`, 1])),
});
const evaluated = Int32Array.from([0, 1, 2]);
const keys = ['recall@1', 'recall@10', 'precision@1', 'precision@5', 'accuracy@1', 'ndcg@10', 'mrr@10', 'map@10'];

describe('metricCeilings', () => {
  it('gives recall@k min(1, k/|R|) and precision@k min(|R|, k)/k per query, averaged, and 1 where nothing caps', () => {
    const { metrics, relevantPerQuery } = metricCeilings(judgments, evaluated, 'sentence-transformers', keys);
    expect(relevantPerQuery).toEqual({ mean: 16 / 3, min: 1, max: 12 });
    expect(metrics['recall@1'].mean).toBeCloseTo((1 + 1 / 3 + 1 / 12) / 3, 12);
    expect(metrics['recall@1'].capped).toBe(2);
    expect(metrics['recall@10'].mean).toBeCloseTo((1 + 1 + 10 / 12) / 3, 12);
    expect(metrics['recall@10'].capped).toBe(1);
    expect(metrics['precision@1']).toEqual({ mean: 1, capped: 0 });
    expect(metrics['precision@5'].mean).toBeCloseTo((1 / 5 + 3 / 5 + 1) / 3, 12);
    expect(metrics['precision@5'].capped).toBe(2);
    // sentence-transformers' AP divides by min(k, |R|): a perfect ranking always reaches 1.
    for (const key of ['accuracy@1', 'ndcg@10', 'mrr@10', 'map@10']) expect(metrics[key], key).toEqual({ mean: 1, capped: 0 });
  });

  it('in TREC mode caps map@k at min(k, |R|)/|R| (trec_eval divides by |R|) and keeps graded NDCG at 1', () => {
    const { metrics } = metricCeilings(judgments, evaluated, 'trec', ['map@10', 'ndcg@10']);
    expect(metrics['map@10'].mean).toBeCloseTo((1 + 1 + 10 / 12) / 3, 12);
    expect(metrics['map@10'].capped).toBe(1);
    expect(metrics['ndcg@10'].mean).toBeCloseTo(1, 12);
  });
});
