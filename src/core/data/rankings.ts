/**
 * Rankings as data: what a checkpoint's retrieval yields (a top-k kernel over its vectors, a run file, a
 * stored report's lists) and what every metric, diff and export reads. Ids appear only at the edges.
 */
import type { TextCollection } from './textCollection.ts';

/**
 * Each query's ranked documents, by row. Query row `q`'s list is `offsets[q] … offsets[q + 1]` of `docs` and
 * `scores`, best first: score descending, ties by document row (sentence-transformers' order; `RankingOrder`
 * gives TREC's). Lists may differ in length (a run file) or be empty.
 */
export interface Rankings {
  /** `[queryCount + 1]` list boundaries. */
  offsets: Int32Array;
  /**
   * Document rows. A negative entry `−(i + 1)` is `unknownIds[i]`: a document a run file ranked that the
   * corpus does not hold — retrieved and non-relevant, as trec_eval counts it.
   */
  docs: Int32Array;
  scores: Float32Array;
  unknownIds: readonly string[];
}

/**
 * How lists are ordered and judged.
 * - `sentence-transformers` (default): score descending, then document order (the kernels' tie-break),
 *   binary gains.
 * - `trec`: trec_eval's order (score descending, then document id descending, by byte) and graded gains.
 */
export type EvaluationMode = 'sentence-transformers' | 'trec';

/** A ranked document's id: the corpus's, or one of the ids the corpus lacks (negative rows). */
export function documentIdOf(documents: TextCollection, rankings: Pick<Rankings, 'unknownIds'>, row: number): string {
  return row >= 0 ? documents.id(row) : rankings.unknownIds[-row - 1];
}

/**
 * Document rows for ids read from a file: the corpus's row, or a negative row numbering the ids it lacks in
 * order of first appearance — the `unknownIds` of the rankings built from them.
 */
export class DocumentRowsById {
  readonly unknownIds: string[] = [];
  private readonly unknownIndex = new Map<string, number>();

  constructor(private readonly documents: TextCollection) {}

  rowOf(id: string): number {
    const row = this.documents.rowOf(id);
    if (row >= 0) return row;
    let index = this.unknownIndex.get(id);
    if (index === undefined) this.unknownIndex.set(id, (index = this.unknownIds.push(id) - 1));
    return -(index + 1);
  }
}

/** Per-query lists of (document row, score), already in rank order, packed into {@link Rankings}. */
export function rankingsFromLists(lists: readonly (readonly { doc: number; score: number }[])[], unknownIds: readonly string[]): Rankings {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, q) => (offsets[q + 1] = offsets[q] + list.length));
  const docs = new Int32Array(offsets[lists.length]);
  const scores = new Float32Array(offsets[lists.length]);
  lists.forEach((list, q) =>
    list.forEach(({ doc, score }, i) => {
      docs[offsets[q] + i] = doc;
      scores[offsets[q] + i] = score;
    }),
  );
  return { offsets, docs, scores, unknownIds };
}
