/**
 * A run (each query's ranked documents) joined with the relevance judgments: what every ranking metric
 * needs, computed once. Metrics read grades by rank and never look documents up again.
 */

/** Relevance judgments: query id → document id → grade. A grade ≤ 0 means "judged not relevant". */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** Each query's ranked list, best first: document ids and their scores, equal length. */
export interface RankedList {
  docIds: readonly string[];
  scores: ArrayLike<number>;
}

export type Run = ReadonlyMap<string, RankedList>;

/**
 * How lists are ordered and judged.
 * - `sentence-transformers` (default): the order given (score desc, then document order), binary gains.
 * - `trec`: trec_eval's order (score desc, then document id desc) and graded gains.
 */
export type EvaluationMode = 'sentence-transformers' | 'trec';

export interface JudgedRun {
  mode: EvaluationMode;
  /** Queries with at least one relevant document, in qrels order; the only ones averaged. */
  queryIds: string[];
  /** Grade of the document at each rank, `[query][rank]`; 0 for unjudged or non-relevant. */
  gains: Float64Array[];
  /** |R|: documents with grade > 0 per query. */
  relevantCounts: Int32Array;
  /** All positive grades of each query sorted descending: the ideal ranking for NDCG. */
  idealGains: Float64Array[];
  /** Queries in the qrels without any relevant document, left out of every average. */
  skippedQueries: string[];
}

export function judgeRun(run: Run, qrels: Qrels, mode: EvaluationMode = 'sentence-transformers'): JudgedRun {
  const queryIds: string[] = [];
  const skippedQueries: string[] = [];
  const gains: Float64Array[] = [];
  const idealGains: Float64Array[] = [];
  const counts: number[] = [];
  const graded = mode === 'trec';
  for (const [queryId, judgments] of qrels) {
    const positive: number[] = [];
    for (const grade of judgments.values()) if (grade > 0) positive.push(grade);
    if (positive.length === 0) {
      skippedQueries.push(queryId);
      continue;
    }
    const list = run.get(queryId);
    const length = list?.docIds.length ?? 0;
    const order = list && graded ? trecOrder(list) : null;
    const queryGains = new Float64Array(length);
    for (let rank = 0; rank < length; rank++) {
      const grade = judgments.get(list!.docIds[order ? order[rank] : rank]);
      if (grade !== undefined && grade > 0) queryGains[rank] = graded ? grade : 1;
    }
    gains.push(queryGains);
    idealGains.push(graded ? Float64Array.from(positive.sort((a, b) => b - a)) : new Float64Array(positive.length).fill(1));
    counts.push(positive.length);
    queryIds.push(queryId);
  }
  return { mode, queryIds, gains, relevantCounts: Int32Array.from(counts), idealGains, skippedQueries };
}

/** trec_eval sorts each query's results by score descending, then document id descending (strcmp). */
function trecOrder(list: RankedList): number[] {
  return list.docIds
    .map((_, i) => i)
    .sort((a, b) => list.scores[b] - list.scores[a] || compareDesc(list.docIds[a], list.docIds[b]));
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
