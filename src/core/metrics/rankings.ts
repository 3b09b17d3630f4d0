import type { TopKResult } from '../kernels/topk/topk.types.ts';
import type { EvaluationMode, Rankings } from '../data/rankings.ts';

/** The rankings a top-k kernel returned: every list `result.k` long. */
export function rankingsFromTopK(result: TopKResult): Rankings {
  const offsets = new Int32Array(result.queryCount + 1);
  for (let q = 0; q <= result.queryCount; q++) offsets[q] = q * result.k;
  return { offsets, docs: result.indices, scores: result.scores, unknownIds: [] };
}

/** Length of the longest list: how deep the rankings go. */
export function depthOf(rankings: Rankings): number {
  let depth = 0;
  for (let q = 0; q + 1 < rankings.offsets.length; q++) depth = Math.max(depth, rankings.offsets[q + 1] - rankings.offsets[q]);
  return depth;
}

/**
 * Each query's list in the order one mode ranks it, worked out once per rankings and mode — by the scoring
 * (`eval/scoreRankings.ts`) — and read from there by judging, the report's top lists, run-file exports and
 * the query view, so that no reader sorts a list again.
 *
 * Stored rankings are already in sentence-transformers' order (score descending, ties by document row; see
 * {@link Rankings}), so that mode holds nothing. TREC mode breaks ties by document id, descending: only the
 * lists that tie-break reorders are held, packed, 4 bytes per entry of those lists plus 4 per query.
 */
export class RankingOrder {
  private constructor(
    readonly rankings: Rankings,
    readonly mode: EvaluationMode,
    /** Per query row: where its reordered positions start in `reordered`, or −1 (the stored order stands); null when no list was reordered. */
    private readonly startOf: Int32Array | null,
    private readonly reordered: Int32Array,
  ) {}

  /**
   * The order `mode` ranks `rankings` in. `docId` names a document row (negative rows included) for TREC's
   * tie-break; it is called only between equal scores.
   */
  static of(rankings: Rankings, mode: EvaluationMode, docId: (row: number) => string): RankingOrder {
    if (mode !== 'trec') return new RankingOrder(rankings, mode, null, new Int32Array(0));
    const { offsets, scores, docs } = rankings;
    const queryCount = offsets.length - 1;
    let startOf: Int32Array | null = null;
    const lists: Int32Array[] = [];
    let packed = 0;
    for (let q = 0; q < queryCount; q++) {
      const start = offsets[q];
      const end = offsets[q + 1];
      let tied = false;
      for (let i = start + 1; i < end && !tied; i++) tied = scores[i] === scores[i - 1];
      if (!tied) continue;
      const order = new Int32Array(end - start);
      for (let i = 0; i < order.length; i++) order[i] = start + i;
      order.sort((a, b) => scores[b] - scores[a] || compareBytesDescending(docId(docs[a]), docId(docs[b])));
      // Ties whose ids already descend leave the list as stored: nothing to keep.
      if (order.every((at, i) => at === start + i)) continue;
      startOf ??= new Int32Array(queryCount).fill(-1);
      startOf[q] = packed;
      packed += order.length;
      lists.push(order);
    }
    const reordered = new Int32Array(packed);
    let at = 0;
    for (const list of lists) {
      reordered.set(list, at);
      at += list.length;
    }
    return new RankingOrder(rankings, mode, startOf, reordered);
  }

  /** Positions held for reordered lists (4 bytes each): none in sentence-transformers mode, nor where no tie reorders a list. */
  get reorderedEntries(): number {
    return this.reordered.length;
  }

  /** Length of query row `q`'s list (0 for a row past the rankings' last query). */
  length(q: number): number {
    const { offsets } = this.rankings;
    return q + 1 < offsets.length ? offsets[q + 1] - offsets[q] : 0;
  }

  /** Position into `rankings.docs`/`scores` of the document query row `q` ranks at `rank` (0-based, below {@link length}). */
  position(q: number, rank: number): number {
    const start = this.startOf === null ? -1 : this.startOf[q];
    return start < 0 ? this.rankings.offsets[q] + rank : this.reordered[start + rank];
  }

  /** Document row at `rank` of query row `q`'s list. */
  docAt(q: number, rank: number): number {
    return this.rankings.docs[this.position(q, rank)];
  }

  /** Score at `rank` of query row `q`'s list. */
  scoreAt(q: number, rank: number): number {
    return this.rankings.scores[this.position(q, rank)];
  }
}

const utf8 = new TextEncoder();

/** strcmp on the UTF-8 bytes, reversed: trec_eval's `comp_sim_docno` tie-break. */
function compareBytesDescending(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return y[i] - x[i];
  return y.length - x.length;
}
