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
  for (const [queryId, judgments] of qrels) {
    const positive = [...judgments.values()].filter((grade) => grade > 0);
    if (positive.length === 0) {
      skippedQueries.push(queryId);
      continue;
    }
    const list = run.get(queryId) ?? { docIds: [], scores: [] };
    const order = mode === 'trec' ? trecOrder(list) : list.docIds.map((_, i) => i);
    const graded = mode === 'trec';
    gains.push(
      Float64Array.from(order, (i) => {
        const grade = judgments.get(list.docIds[i]) ?? 0;
        return grade > 0 ? (graded ? grade : 1) : 0;
      }),
    );
    idealGains.push(Float64Array.from(graded ? positive.sort((a, b) => b - a) : positive.map(() => 1)));
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
