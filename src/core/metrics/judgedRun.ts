/**
 * A ranking joined with the relevance judgments: what every ranking metric needs, computed once per model
 * and mode. Metrics read grades by rank and never look documents up again.
 */
import type { Judgments } from '../data/judgments.ts';
import type { RankingOrder } from './rankings.ts';
import type { EvaluationMode } from '../data/rankings.ts';

export interface JudgedRun {
  mode: EvaluationMode;
  /** Query rows with at least one relevant document, in judgment order: the only ones averaged. */
  queryRows: Int32Array;
  /** Grade of the document at each rank, `[query][rank]`; 0 for unjudged or non-relevant. */
  gains: Float64Array[];
  /** |R|: documents with grade > 0 per query. */
  relevantCounts: Int32Array;
  /** All positive grades of each query sorted descending: the ideal ranking for NDCG. */
  idealGains: Float64Array[];
  /** Judged query rows without any relevant document, left out of every average. */
  skippedRows: Int32Array;
}

/** Judges each list of `order` (rankings in one mode's order) against `judgments`, grading as that mode does. */
export function judgeRun(order: RankingOrder, judgments: Judgments): JudgedRun {
  const { mode } = order;
  const queryRows: number[] = [];
  const skipped: number[] = [];
  const gains: Float64Array[] = [];
  const idealGains: Float64Array[] = [];
  const counts: number[] = [];
  const graded = mode === 'trec';
  for (let i = 0; i < judgments.queries.length; i++) {
    const q = judgments.queries[i];
    const first = judgments.offsets[i];
    const end = judgments.offsets[i + 1];
    // Only relevant documents earn a gain: look each ranked document up among them (a handful per query).
    const relevantDocs: number[] = [];
    const relevantGrades: number[] = [];
    for (let j = first; j < end; j++) {
      if (judgments.grades[j] > 0) {
        relevantDocs.push(judgments.docs[j]);
        relevantGrades.push(judgments.grades[j]);
      }
    }
    if (relevantDocs.length === 0) {
      skipped.push(q);
      continue;
    }
    const lookup = relevantDocs.length > 16 ? new Map(relevantDocs.map((d, j) => [d, relevantGrades[j]])) : null;
    const queryGains = new Float64Array(order.length(q));
    for (let rank = 0; rank < queryGains.length; rank++) {
      const doc = order.docAt(q, rank);
      const at = lookup ? -1 : relevantDocs.indexOf(doc);
      const grade = lookup ? lookup.get(doc) : at >= 0 ? relevantGrades[at] : undefined;
      if (grade !== undefined) queryGains[rank] = graded ? grade : 1;
    }
    gains.push(queryGains);
    idealGains.push(graded ? Float64Array.from(relevantGrades).sort().reverse() : new Float64Array(relevantGrades.length).fill(1));
    counts.push(relevantGrades.length);
    queryRows.push(q);
  }
  return { mode, queryRows: Int32Array.from(queryRows), gains, relevantCounts: Int32Array.from(counts), idealGains, skippedRows: Int32Array.from(skipped) };
}
