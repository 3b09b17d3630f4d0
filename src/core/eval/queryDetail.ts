import { orderOf } from '../metrics/rankings.ts';
import { diffTopK, type Movement, type RankedView } from '../report/queryDiff.ts';
import { fullRanks, rowDot } from '../vectors/fullRank.ts';
import type { CheckpointResult, Comparison } from './compare.ts';

/** One query in full, every model's top k beside the baseline's: what the page's detail view shows. */
export interface QueryDetail {
  query: { id: string; text: string; label?: string };
  relevantCount: number;
  k: number;
  models: {
    name: string;
    /** How deep the model's ranking goes (a run file may stop early). */
    depth: number;
    top: { docId: string; text: string; rank: number; score: number; relevance: number; movement: Movement }[];
    dropped: { docId: string; text: string; baselineRank: number; rank: number | null; score: number | null }[];
    missingRelevant: { docId: string; text: string; rank: number | null; score: number | null; relevance: number }[];
  }[];
}

/**
 * Query `queryId` of a comparison in detail. Each model's list is the ranking its metrics were computed
 * from, in the comparison's mode; a document beyond that list gets its rank in the model's complete ranking
 * (scored as the CPU kernel scores) when the model has vectors, and "not ranked" when it is a run file.
 */
export function queryDetail(comparison: Comparison, queryId: string, k = 10, baseline = 0): QueryDetail {
  const { dataset, judgments, checkpoints } = comparison;
  const q = dataset.queries.rowOf(queryId);
  if (q < 0) throw new Error(`no query ${queryId}`);
  const grade = new Map<number, number>();
  const judged = judgments.queries.indexOf(q);
  if (judged >= 0) for (let j = judgments.offsets[judged]; j < judgments.offsets[judged + 1]; j++) grade.set(judgments.docs[j], judgments.grades[j]);
  const relevant = [...grade].filter(([, g]) => g > 0).map(([doc]) => doc);
  const views = checkpoints.map((checkpoint) => viewOf(comparison, checkpoint, q));
  const diffs = diffTopK(views, Math.min(baseline, checkpoints.length - 1), k, relevant);
  const document = (checkpoint: CheckpointResult, row: number) =>
    row >= 0 ? { docId: dataset.documents.id(row), text: dataset.documents.text(row) } : { docId: checkpoint.rankings.unknownIds[-row - 1], text: '(not in the corpus)' };
  return {
    query: dataset.queries.record(q),
    relevantCount: relevant.length,
    k,
    models: diffs.map((diff, m) => {
      const checkpoint = checkpoints[m];
      return {
        name: checkpoint.name,
        depth: checkpoint.rankings.offsets[q + 1] - checkpoint.rankings.offsets[q],
        top: diff.top.map((e) => ({ ...document(checkpoint, e.doc), rank: e.rank, score: e.score, relevance: grade.get(e.doc) ?? 0, movement: e.movement })),
        dropped: diff.dropped.map((e) => ({ ...document(checkpoint, e.doc), baselineRank: e.baselineRank, rank: e.rank, score: e.score })),
        missingRelevant: diff.missingRelevant.map((e) => ({ ...document(checkpoint, e.doc), rank: e.rank, score: e.score, relevance: grade.get(e.doc) ?? 0 })),
      };
    }),
  };
}

function viewOf(comparison: Comparison, checkpoint: CheckpointResult, q: number): RankedView {
  const { rankings, vectors } = checkpoint;
  const docId = (row: number) => (row >= 0 ? comparison.dataset.documents.id(row) : rankings.unknownIds[-row - 1]);
  const order = orderOf(rankings, q, comparison.mode, docId);
  const listed = order.length;
  return {
    docs: Int32Array.from(order, (at) => rankings.docs[at]),
    scores: Float32Array.from(order, (at) => rankings.scores[at]),
    locate(docs) {
      if (!vectors) return docs.map(() => ({ rank: null, score: null }));
      const known = docs.filter((d) => d >= 0);
      const ranks = fullRanks(vectors.queries, q, vectors.documents, vectors.dim, known);
      return docs.map((d) => {
        const i = known.indexOf(d);
        if (i < 0) return { rank: null, score: null };
        // Beyond the list by definition (a GPU-ranked list may round a near-tie the other way).
        return { rank: Math.max(listed + 1, ranks[i]), score: Math.fround(rowDot(vectors.queries, q, vectors.documents, d, vectors.dim)) };
      });
    },
  };
}
