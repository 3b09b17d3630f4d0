import type { Dataset } from '../data/dataset.ts';
import { documentIdOf, type EvaluationMode, type Rankings } from '../data/rankings.ts';
import { judgeRun, type JudgedRun } from '../metrics/judgedRun.ts';
import { RankingOrder } from '../metrics/rankings.ts';
import { evaluateJudged, type Evaluation } from '../metrics/registry.ts';
import { storedEvaluation, type StoredModel } from './reportCheckpoint.ts';
import type { Judgments } from '../data/judgments.ts';

/** What judging and scoring a ranking needs, fixed for one comparison (or one re-scoring of it). */
export interface ScoringContext {
  dataset: Dataset;
  judgments: Judgments;
  mode: EvaluationMode;
  metricKeys: readonly string[];
}

/** A ranking scored: its lists in the mode's order (what the report, exports and query view read), judged, evaluated. */
export interface ScoredRankings {
  order: RankingOrder;
  judged: JudgedRun;
  evaluation: Evaluation;
}

/**
 * Rankings → ordered as the context's mode ranks (once) → judged against the judgments → every metric per
 * query: the one path from a ranking to numbers, for every checkpoint kind, the compression sweep's cells
 * and a re-scoring. A stored report's checkpoint (`stored`) takes its metrics from the stored per-query
 * values, judged all the same.
 */
export function scoreRankings(rankings: Rankings, context: ScoringContext, stored?: { model: StoredModel; name: string }): ScoredRankings {
  const { dataset, judgments, mode, metricKeys } = context;
  const order = RankingOrder.of(rankings, mode, (row) => documentIdOf(dataset.documents, rankings, row));
  const judged = judgeRun(order, judgments);
  const evaluation = stored ? storedEvaluation(stored.model, judged, metricKeys, mode, dataset, stored.name) : evaluateJudged(judged, [...metricKeys]);
  return { order, judged, evaluation };
}
