import { describe, expect, it } from 'vitest';
import { judgeRun } from '../metrics/judgedRun.ts';
import { RankingOrder } from '../metrics/rankings.ts';
import { evaluateJudged } from '../metrics/registry.ts';
import { metricCurves } from './metricCurves.ts';

describe('metric@k curves', () => {
  it('give each metric’s mean at every k from 1, as the registry computes it', () => {
    const rankings = { offsets: Int32Array.of(0, 4, 8), docs: Int32Array.of(3, 0, 1, 2, 2, 3, 0, 1), scores: new Float32Array(8), unknownIds: [] };
    const judgments = { queries: Int32Array.of(0, 1), offsets: Int32Array.of(0, 2, 3), docs: Int32Array.of(0, 2, 1), grades: Float64Array.of(1, 1, 1) };
    const judged = judgeRun(RankingOrder.of(rankings, 'sentence-transformers', String), judgments);
    const curves = metricCurves(judged, 5);
    expect(curves.recall).toEqual([0, 0.25, 0.25, 1, 1]);
    for (const k of [1, 3, 5]) expect(curves.ndcg[k - 1]).toBe(evaluateJudged(judged, [`ndcg@${k}`]).metrics[`ndcg@${k}`]);
    expect(Object.keys(curves).sort()).toEqual(['accuracy', 'map', 'mrr', 'ndcg', 'precision', 'recall']);
  });
});
