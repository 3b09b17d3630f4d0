/**
 * Relevance judgments by row: query `queries[i]` judged documents `docs[offsets[i] … offsets[i + 1]]` with
 * `grades` (≤ 0: judged not relevant). Queries keep the order the judgments came in; a query appears at most
 * once, a document at most once per query. This is what the loaders build and the dataset carries: a
 * million pairs cost ~20 bytes each, no Map or id string per query. Ids are made only where a reader shows
 * them (`queries.id(row)`, `documents.id(row)`).
 */
export interface Judgments {
  queries: Int32Array;
  offsets: Int32Array;
  docs: Int32Array;
  grades: Float64Array;
}

/** How many (query, document) judgments there are, and how many of them are relevant (grade > 0). */
export function countJudgments(judgments: Judgments): { judgments: number; relevant: number } {
  let relevant = 0;
  for (const grade of judgments.grades) if (grade > 0) relevant++;
  return { judgments: judgments.grades.length, relevant };
}

/**
 * The judgments looked up from a query row, for readers that start from a query (its relevant documents,
 * one document's grade). Built on demand: 4 bytes a query, no Map.
 */
export class JudgmentsByQuery {
  /** Index into `judgments.queries` of each query row's judgments; −1 for a query without any. */
  private readonly entryOf: Int32Array;

  constructor(readonly judgments: Judgments) {
    let queryCount = 0;
    for (const q of judgments.queries) queryCount = Math.max(queryCount, q + 1);
    this.entryOf = new Int32Array(queryCount).fill(-1);
    judgments.queries.forEach((q, i) => (this.entryOf[q] = i));
  }

  /** Positions `[start, end)` into `docs` and `grades` of query row `q`'s judgments (empty when it has none). */
  positions(q: number): [start: number, end: number] {
    const entry = q >= 0 && q < this.entryOf.length ? this.entryOf[q] : -1;
    return entry < 0 ? [0, 0] : [this.judgments.offsets[entry], this.judgments.offsets[entry + 1]];
  }

  /** The grade query row `q` gave document row `doc`, or undefined when it did not judge it. */
  gradeOf(q: number, doc: number): number | undefined {
    const [start, end] = this.positions(q);
    // A query judges a handful of documents: a scan is cheaper than an index per query.
    for (let j = start; j < end; j++) if (this.judgments.docs[j] === doc) return this.judgments.grades[j];
    return undefined;
  }
}
