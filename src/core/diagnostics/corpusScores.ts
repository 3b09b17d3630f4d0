import { forEachBlock, type DocumentRows } from '../vectors/documentRows.ts';
import { fullRanksOf, rowDot } from '../vectors/fullRank.ts';
import { meanAndStandardError, seededSample } from './sample.ts';
import type { Rankings } from '../data/rankings.ts';

/** Each evaluated query's relevant documents (grade > 0) by row: `docs[offsets[i] … offsets[i + 1]]` for `queryRows[i]`. */
export interface RelevantDocuments {
  queryRows: Int32Array;
  offsets: Int32Array;
  docs: Int32Array;
}

/**
 * Multiply-adds the full-corpus ROC-AUC may spend on relevant documents ranked below the retrieval depth
 * (each needs its query scored against every document): about ten seconds of JavaScript. Above it the AUC
 * is taken on a seeded sample of queries, with its standard error.
 */
const CORPUS_AUC_WORK = 1e10;
/** Fewest queries a sampled full-corpus AUC rests on, whatever the work. */
export const CORPUS_AUC_MIN_QUERIES = 50;

/** How relevant documents score against every other document of the corpus. */
export interface CorpusScores {
  /** Cosine of each (query, relevant document) pair. */
  positives: { count: number; mean: number };
  /** Cosine of each (query, non-relevant document) pair, every document of the corpus counted. */
  negatives: { count: number; mean: number };
  /** positives.mean − negatives.mean. */
  gap: number;
  /**
   * Mean over queries of the per-query ROC-AUC against all non-relevant documents: for each relevant
   * document, the share of non-relevant documents ranked below it in the full ranking, averaged.
   */
  rocAuc: number;
  /** Queries the AUC was averaged over; all evaluated queries unless sampled. */
  aucQueries: number;
  /** Set when the AUC was taken on a seeded sample of queries. */
  standardError: number | null;
  sampleSeed: number | null;
}

/**
 * Score gap and ROC-AUC with every non-relevant document of the corpus as a negative. Both follow exactly
 * from the full ranking: the negatives' mean cosine from one summed document vector (Σ over all documents
 * minus the relevant ones), each relevant document's rank from the checkpoint's own top-k list when it is
 * there and from one scoring pass over the corpus when it is not. Null without relevant pairs.
 */
export function corpusScores(
  unitQueries: Float32Array,
  unitDocs: DocumentRows,
  dim: number,
  rankings: Rankings,
  relevant: RelevantDocuments,
  options: { seed: number; work?: number },
): CorpusScores | null {
  const docCount = unitDocs.length / dim;
  const total = new Float64Array(dim);
  forEachBlock(unitDocs, dim, (block) => {
    for (let d = 0; d < block.length / dim; d++) for (let j = 0; j < dim; j++) total[j] += block[d * dim + j];
  });

  let positiveSum = 0;
  let positiveCount = 0;
  let negativeSum = 0;
  let negativeCount = 0;
  const aucCandidates: number[] = [];
  let beyondDepth = 0;
  for (let i = 0; i < relevant.queryRows.length; i++) {
    const q = relevant.queryRows[i];
    const docs = relevant.docs.subarray(relevant.offsets[i], relevant.offsets[i + 1]);
    if (docs.length === 0) continue;
    let toAll = 0;
    for (let j = 0; j < dim; j++) toAll += unitQueries[q * dim + j] * total[j];
    let toRelevant = 0;
    for (const d of docs) toRelevant += rowDot(unitQueries, q, unitDocs, d, dim);
    positiveSum += toRelevant;
    positiveCount += docs.length;
    negativeSum += toAll - toRelevant;
    negativeCount += docCount - docs.length;
    if (docCount > docs.length) {
      aucCandidates.push(i);
      if (docs.some((d) => positionIn(rankings, q, d) < 0)) beyondDepth++;
    }
  }
  if (positiveCount === 0) return null;

  // Scoring a query against the corpus costs docCount × dim; sample queries when all of them would cost too much.
  const perScan = docCount * dim;
  const work = options.work ?? CORPUS_AUC_WORK;
  const sampled = beyondDepth * perScan > work;
  const chosen = sampled
    ? Array.from(seededSample(aucCandidates.length, Math.max(CORPUS_AUC_MIN_QUERIES, Math.floor(work / perScan)), options.seed), (k) => aucCandidates[k])
    : aucCandidates;
  // Ranks from each list where the relevant documents are in it, the rest from one pass over the corpus.
  const listed = chosen.map((i) => listedRanks(rankings, relevant.queryRows[i], relevant.docs.subarray(relevant.offsets[i], relevant.offsets[i + 1])));
  const found = fullRanksOf(
    unitQueries,
    chosen.map((i) => relevant.queryRows[i]),
    unitDocs,
    dim,
    listed.map(({ missing }) => missing),
  );
  const perQuery = Float64Array.from(chosen, (i, c) => {
    const q = relevant.queryRows[i];
    const { ranks } = listed[c];
    // Below the list by definition (a GPU-ranked list may round a near-tie the other way).
    const depth = rankings.offsets[q + 1] - rankings.offsets[q];
    let m = 0;
    ranks.forEach((rank, r) => rank === 0 && (ranks[r] = Math.max(depth + 1, found[c][m++])));
    return aucFromRanks(ranks, docCount);
  });
  const { mean, standardError } = meanAndStandardError(perQuery);
  const positiveMean = positiveSum / positiveCount;
  const negativeMean = negativeCount ? negativeSum / negativeCount : NaN;
  return {
    positives: { count: positiveCount, mean: positiveMean },
    negatives: { count: negativeCount, mean: negativeMean },
    gap: positiveMean - negativeMean,
    rocAuc: perQuery.length ? mean : NaN,
    aucQueries: perQuery.length,
    standardError: sampled ? standardError : null,
    sampleSeed: sampled ? options.seed : null,
  };
}

/** Position of document `doc` in query `q`'s ranked list, or −1. */
function positionIn(rankings: Rankings, q: number, doc: number): number {
  for (let i = rankings.offsets[q]; i < rankings.offsets[q + 1]; i++) if (rankings.docs[i] === doc) return i - rankings.offsets[q];
  return -1;
}

/** A query's relevant documents' ranks in its list (0 where they are not in it), and those missing. */
function listedRanks(rankings: Rankings, q: number, docs: Int32Array): { ranks: Int32Array; missing: Int32Array } {
  const ranks = Int32Array.from(docs, (d) => positionIn(rankings, q, d) + 1);
  return { ranks, missing: docs.filter((_, i) => ranks[i] === 0) };
}

/** One query's AUC against every non-relevant document, from the full ranks of its relevant documents. */
function aucFromRanks(ranks: Int32Array, docCount: number): number {
  const sorted = Int32Array.from(ranks).sort();
  let negativesAbove = 0;
  // The relevant document at sorted position p has p relevant documents above it; the rest above are negatives.
  sorted.forEach((rank, p) => (negativesAbove += rank - 1 - p));
  const negatives = docCount - ranks.length;
  return 1 - negativesAbove / (ranks.length * negatives);
}
