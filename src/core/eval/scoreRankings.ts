import type { Dataset } from '../data/dataset.ts';
import { documentIdOf } from '../data/rankings.ts';
import { judgeRun, type JudgedRun, type Judgments } from '../metrics/judgedRun.ts';
import type { EvaluationMode, Rankings } from '../metrics/rankings.ts';
import { evaluateJudged, type Evaluation } from '../metrics/registry.ts';
import { storedEvaluation, type StoredModel } from './reportCheckpoint.ts';

/** What judging and scoring a ranking needs, fixed for one comparison (or one re-scoring of it). */
export interface ScoringContext {
  dataset: Dataset;
  judgments: Judgments;
  mode: EvaluationMode;
  metricKeys: readonly string[];
}

/**
 * Rankings → judged against the judgments in the context's mode → every metric per query: the one path from
 * a ranking to numbers, for every checkpoint kind, the compression sweep's cells and a re-scoring. A stored
 * report's checkpoint (`stored`) takes its metrics from the stored per-query values, judged all the same.
 */
export function scoreRankings(rankings: Rankings, context: ScoringContext, stored?: { model: StoredModel; name: string }): { judged: JudgedRun; evaluation: Evaluation } {
  const { dataset, judgments, mode, metricKeys } = context;
  const judged = judgeRun(rankings, judgments, mode, (row) => documentIdOf(dataset.documents, rankings, row));
  const evaluation = stored ? storedEvaluation(stored.model, judged, metricKeys, mode, dataset, stored.name) : evaluateJudged(judged, [...metricKeys]);
  return { judged, evaluation };
}
