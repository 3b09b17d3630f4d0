import { matchedTerms } from '../lexical/matchedTerms.ts';
import { loadBm25Tokenizer, type Bm25Tokenizer } from '../lexical/bm25Tokenizer.ts';
import { diffTopK, type Movement, type RankedView } from '../report/queryDiff.ts';
import { fullRanks, rowDot } from '../vectors/fullRank.ts';
import type { CheckpointResult, Comparison } from '../eval/compare.ts';

/** A stretch of a document's text: `text.slice(start, end)`. */
export interface TextSpan {
  start: number;
  end: number;
}

/**
 * Why a document stands where it does, beside its rank: for a BM25 column, the words of its text that are
 * query terms (what BM25 added up); for a hybrid's, its rank in each input's list (null: not in the top
 * `fusion.depth` the hybrid read).
 */
export interface DocumentEvidence {
  matches?: TextSpan[];
  inputRanks?: (number | null)[];
}

/** One query in full, every model's top k beside the baseline's: what the page's detail view shows. */
export interface QueryDetail {
  query: { id: string; text: string; label?: string };
  relevantCount: number;
  k: number;
  models: {
    name: string;
    /** How deep the model's ranking goes (a run file may stop early). */
    depth: number;
    /** A BM25 checkpoint: the query's terms (stems, stop words left out), marked in each document's text. */
    lexical?: { terms: string[] };
    /** A hybrid: the checkpoints it fused (the order of each document's `inputRanks`) and how deep it read each. */
    fusion?: { inputs: string[]; depth: number };
    /** `relevance`: the judged grade (0: not judged relevant); `label`: the document's label, when the data has labels. */
    top: (ShownDocument & { rank: number; score: number; relevance: number; movement: Movement })[];
    dropped: (ShownDocument & { baselineRank: number; rank: number | null; score: number | null })[];
    missingRelevant: (ShownDocument & { rank: number | null; score: number | null; relevance: number })[];
  }[];
}

/** A document as a list shows it: id, text, label (when it has one) and why it stands there. */
export type ShownDocument = { docId: string; text: string; label?: string } & DocumentEvidence;

export interface QueryDetailOptions {
  /**
   * The tokenizer BM25 checkpoints ranked with, to mark matching terms (see {@link loadQueryDetail}); a
   * BM25 checkpoint whose notes name another tokenizer gets no marks. Without one, nothing is marked.
   */
  bm25Tokenizer?: Bm25Tokenizer | null;
}

/**
 * Query `queryId` of a comparison in detail. Each model's list is the ranking its metrics were computed
 * from, in the comparison's mode; a document beyond that list gets its rank in the model's complete ranking
 * (scored as the CPU kernel scores) when the model has vectors, and "not ranked" when it is a run file.
 * BM25's documents carry the spans of their query terms, a hybrid's their ranks in its inputs.
 */
export function queryDetail(comparison: Comparison, queryId: string, k = 10, baseline = 0, options: QueryDetailOptions = {}): QueryDetail {
  const { dataset, judgments, checkpoints } = comparison;
  const q = dataset.queries.rowOf(queryId);
  if (q < 0) throw new Error(`no query ${queryId}`);
  const grade = new Map<number, number>();
  const judged = judgments.queries.indexOf(q);
  if (judged >= 0) for (let j = judgments.offsets[judged]; j < judgments.offsets[judged + 1]; j++) grade.set(judgments.docs[j], judgments.grades[j]);
  const relevant = [...grade].filter(([, g]) => g > 0).map(([doc]) => doc);
  const views = checkpoints.map((checkpoint) => viewOf(checkpoint, q));
  const diffs = diffTopK(views, Math.min(baseline, checkpoints.length - 1), k, relevant);
  const query = dataset.queries.record(q);
  const document = (checkpoint: CheckpointResult, row: number): Omit<ShownDocument, keyof DocumentEvidence> => {
    if (row < 0) return { docId: checkpoint.rankings.unknownIds[-row - 1], text: '(not in the corpus)' };
    const label = dataset.documents.label(row);
    return { docId: dataset.documents.id(row), text: dataset.documents.text(row), ...(label !== undefined ? { label } : {}) };
  };
  return {
    query,
    relevantCount: relevant.length,
    k,
    models: diffs.map((diff, m) => {
      const checkpoint = checkpoints[m];
      const evidence = evidenceOf(comparison, checkpoint, q, query.text, options);
      const shown = (row: number) => ({ ...document(checkpoint, row), ...evidence.of(row) });
      return {
        name: checkpoint.name,
        depth: checkpoint.rankings.offsets[q + 1] - checkpoint.rankings.offsets[q],
        ...evidence.model,
        top: diff.top.map((e) => ({ ...shown(e.doc), rank: e.rank, score: e.score, relevance: grade.get(e.doc) ?? 0, movement: e.movement })),
        dropped: diff.dropped.map((e) => ({ ...shown(e.doc), baselineRank: e.baselineRank, rank: e.rank, score: e.score })),
        missingRelevant: diff.missingRelevant.map((e) => ({ ...shown(e.doc), rank: e.rank, score: e.score, relevance: grade.get(e.doc) ?? 0 })),
      };
    }),
  };
}

let defaultTokenizer: Promise<Bm25Tokenizer> | null = null;

/**
 * {@link queryDetail} with BM25's matches marked: loads bm25s's default tokenizer (the one the page's and the
 * CLI's BM25 checkpoints rank with; its stemmer's WebAssembly is already loaded once BM25 has run) only when
 * the comparison holds a BM25 checkpoint.
 */
export async function loadQueryDetail(comparison: Comparison, queryId: string, k = 10, baseline = 0): Promise<QueryDetail> {
  let bm25Tokenizer: Bm25Tokenizer | null = null;
  if (comparison.checkpoints.some(isBm25)) {
    defaultTokenizer ??= loadBm25Tokenizer().catch((error: unknown) => {
      defaultTokenizer = null;
      throw error;
    });
    bm25Tokenizer = await defaultTokenizer;
  }
  return queryDetail(comparison, queryId, k, baseline, { bm25Tokenizer });
}

/** BM25 ranked here (or a stored report of it): its backend says so. */
function isBm25(checkpoint: CheckpointResult): boolean {
  return (checkpoint.kind === 'ranking' || checkpoint.kind === 'report') && checkpoint.backend.startsWith('BM25');
}

/** The tokenizer's description as BM25's definition note states it: marks only for the tokenizer it ranked with. */
function rankedWith(checkpoint: CheckpointResult, tokenizer: Bm25Tokenizer): boolean {
  return checkpoint.notes.some((note) => note.includes(`tokenizer: ${tokenizer.description};`));
}

/** What a checkpoint's column says beyond ranks: BM25's query terms and matches, a hybrid's input ranks. */
function evidenceOf(
  comparison: Comparison,
  checkpoint: CheckpointResult,
  q: number,
  queryText: string,
  options: QueryDetailOptions,
): { model: Pick<QueryDetail['models'][number], 'lexical' | 'fusion'>; of: (row: number) => DocumentEvidence } {
  const tokenizer = options.bm25Tokenizer;
  if (tokenizer && isBm25(checkpoint) && rankedWith(checkpoint, tokenizer)) {
    const terms = [...new Set(tokenizer.terms(queryText))];
    return {
      model: { lexical: { terms } },
      of: (row) => ({ matches: row >= 0 ? matchedTerms(queryText, comparison.dataset.documents.text(row), tokenizer).map(({ start, end }) => ({ start, end })) : [] }),
    };
  }
  const fusion = checkpoint.fusion;
  if (checkpoint.kind === 'fusion' && fusion) {
    const positions = fusion.inputs.map((name) => {
      const input = comparison.checkpoints.find((c) => c.name === name);
      return input ? listPositions(input, q, fusion.depth) : new Map<string, number>();
    });
    return {
      model: { fusion: { inputs: [...fusion.inputs], depth: fusion.depth } },
      of: (row) => {
        const key = keyOf(checkpoint, row);
        return { inputRanks: positions.map((ranks) => ranks.get(key) ?? null) };
      },
    };
  }
  return { model: {}, of: () => ({}) };
}

/** A document across checkpoints: its row, or for one outside the corpus its id (rows of unknown ids differ per checkpoint). */
function keyOf(checkpoint: CheckpointResult, row: number): string {
  return row >= 0 ? `${row}` : `?${checkpoint.rankings.unknownIds[-row - 1]}`;
}

/**
 * Each document's rank (from 1) in the first `depth` of `checkpoint`'s list for query `q`, as a fusion reads
 * it: the list's own order (score descending, ties by row), whatever the comparison's mode.
 */
function listPositions(checkpoint: CheckpointResult, q: number, depth: number): Map<string, number> {
  const { offsets, docs } = checkpoint.rankings;
  const ranks = new Map<string, number>();
  const end = Math.min(offsets[q + 1], offsets[q] + depth);
  for (let at = offsets[q]; at < end; at++) ranks.set(keyOf(checkpoint, docs[at]), at - offsets[q] + 1);
  return ranks;
}

/** One piece of a document's text as the page shows it: marked (a query term BM25 matched) or plain. */
export interface TextSegment {
  text: string;
  marked: boolean;
}

/**
 * `text` cut into plain and marked pieces by `spans` (in text order, not overlapping), up to `limit`
 * characters: what the page renders as text and `<mark>` elements, never as HTML.
 */
export function markedSegments(text: string, spans: readonly TextSpan[] = [], limit = text.length): TextSegment[] {
  const end = Math.min(limit, text.length);
  const segments: TextSegment[] = [];
  let at = 0;
  for (const span of spans) {
    const start = Math.max(span.start, at);
    const stop = Math.min(span.end, end);
    if (start >= end) break;
    if (stop <= start) continue;
    if (start > at) segments.push({ text: text.slice(at, start), marked: false });
    segments.push({ text: text.slice(start, stop), marked: true });
    at = stop;
  }
  if (at < end) segments.push({ text: text.slice(at, end), marked: false });
  return segments;
}

function viewOf(checkpoint: CheckpointResult, q: number): RankedView {
  const { order, vectors } = checkpoint;
  // The list as the metrics judged it: the checkpoint's order is the comparison's mode.
  const listed = order.length(q);
  return {
    docs: Int32Array.from({ length: listed }, (_, rank) => order.docAt(q, rank)),
    scores: Float32Array.from({ length: listed }, (_, rank) => order.scoreAt(q, rank)),
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
