/**
 * Ranks documents for queries with an index and a variant's weights: each query's terms' postings are walked
 * into a float32 accumulator over documents (bm25s's `_compute_relevance_from_scores`, term by term in query
 * order), then the best `k` are kept by {@link TopKSelection} — score descending, ties by lower document row,
 * the lab's rule (bm25s leaves ties in `argpartition`'s order). Like bm25s's `retrieve(k=…)`, every list is
 * `k` long: past the documents that share a term with the query come documents scoring 0 (bm25l, bm25+: the
 * query's non-occurrence total), lowest rows first.
 */
import { TopKSelection } from '../kernels/topk/topkSelection.ts';
import type { TopKResult } from '../kernels/topk/topk.types.ts';
import { queryTermIds, type Bm25Index } from './bm25Index.ts';
import { absentTotal, type Bm25Weights } from './bm25Scoring.ts';
import { ProgressPacer } from './progressPacer.ts';

export interface RankingProgress {
  /** Queries ranked so far. */
  done: number;
  total: number;
}

export interface RankingOptions {
  /** Awaited every ~20 ms: the caller's chance to yield and to cancel. */
  onProgress?: (progress: RankingProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/** The best `depth` documents (at most all of them) of each query text, best first. */
export async function rankBm25(index: Bm25Index, weights: Bm25Weights, queries: readonly string[], depth: number, options: RankingOptions = {}): Promise<TopKResult> {
  if (weights.postings.length !== index.docs.length) throw new RangeError(`BM25: ${weights.postings.length} weights for ${index.docs.length} postings (weights of another index?)`);
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`BM25: depth must be a positive integer, got ${depth}`);
  const n = index.documentCount;
  const k = Math.min(depth, n);
  const total = queries.length;
  if (k === 0) return { queryCount: total, k: 0, indices: new Int32Array(0), scores: new Float32Array(0) };
  const selection = new TopKSelection(total, k);
  const scorer = new QueryScorer(index, weights, k);
  const pacer = new ProgressPacer(options.onProgress && ((done) => options.onProgress!({ done, total })), options.signal);
  for (let q = 0; q < total; q++) {
    scorer.rank(queryTermIds(index, queries[q]), k, (doc, score) => selection.offer(q, doc, score));
    if (pacer.due()) await pacer.report(q + 1);
  }
  if (options.onProgress) await pacer.report(total);
  return selection.result();
}

/** The scratch space of one query at a time: an accumulator, the documents it touched, a small heap. */
class QueryScorer {
  private readonly sums: Float32Array;
  /** `stamp[d] === generation` marks document `d` touched by the current query (sparse queries only). */
  private readonly stamp: Uint32Array;
  private readonly touched: Int32Array;
  private readonly candidates: Int32Array;
  private readonly heap: Float32Array;
  private generation = 0;

  constructor(
    private readonly index: Bm25Index,
    private readonly weights: Bm25Weights,
    k: number,
  ) {
    const n = index.documentCount;
    this.sums = new Float32Array(n);
    this.stamp = new Uint32Array(n);
    this.touched = new Int32Array(n);
    this.candidates = new Int32Array(n);
    this.heap = new Float32Array(k);
  }

  /**
   * Offers the query's top-`k` candidates to `offer` in document order (what the selection's ties need):
   * the documents scoring at least the k-th best sum (found with a k-element heap, so a query touching
   * most of a million documents offers about k of them). A document without a query term scores
   * float32(0 + base) like a touched one whose terms weigh 0, so the two need no telling apart.
   *
   * A query whose postings outnumber the documents is dense: the accumulator is read whole, in row order.
   * Otherwise only the touched documents are visited, and the lowest untouched rows join when their score
   * (`base`) reaches the threshold.
   */
  rank(termIds: Int32Array, k: number, offer: (doc: number, score: number) => void): void {
    const { sums, stamp, touched, candidates } = this;
    const { offsets, docs, documentCount: n } = this.index;
    const { postings, absent } = this.weights;
    // bm25l, bm25+: every document gets the query's non-occurrence total, float32 as bm25s adds it.
    const base = absent ? absentTotal(absent, termIds) : 0;
    let postingCount = 0;
    for (const t of termIds) postingCount += offsets[t + 1] - offsets[t];

    if (postingCount >= n) {
      for (const t of termIds) for (let p = offsets[t], end = offsets[t + 1]; p < end; p++) sums[docs[p]] += postings[p];
      // Scores are float32(sum + base), monotonic in the sum: the k-th best sum gives the k-th best score.
      const heap = this.heap;
      for (let d = 0; d < k; d++) heap[d] = sums[d];
      heapify(heap, k);
      for (let d = k; d < n; d++) if (sums[d] > heap[0]) replaceTop(heap, k, sums[d]);
      const threshold = Math.fround(heap[0] + base);
      for (let d = 0; d < n; d++) {
        const score = Math.fround(sums[d] + base);
        if (score >= threshold) offer(d, score);
      }
      sums.fill(0);
      return;
    }

    const generation = ++this.generation;
    if (generation === 0xffffffff) {
      stamp.fill(0);
      this.generation = 1;
    }
    let count = 0;
    for (const t of termIds) {
      for (let p = offsets[t], end = offsets[t + 1]; p < end; p++) {
        const d = docs[p];
        if (stamp[d] !== this.generation) {
          stamp[d] = this.generation;
          touched[count++] = d;
        }
        sums[d] += postings[p];
      }
    }
    let threshold = -Infinity;
    if (count > k) {
      const heap = this.heap;
      for (let i = 0; i < k; i++) heap[i] = sums[touched[i]];
      heapify(heap, k);
      for (let i = k; i < count; i++) {
        const sum = sums[touched[i]];
        if (sum > heap[0]) replaceTop(heap, k, sum);
      }
      threshold = Math.fround(heap[0] + base);
    }
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const d = touched[i];
      if (Math.fround(sums[d] + base) >= threshold) candidates[kept++] = d;
    }
    const hits = candidates.subarray(0, kept).sort();
    // Untouched documents all score `base` (touched ones at least that: weights are never negative); only
    // the k lowest rows among them can make the list, and only when `base` reaches the threshold.
    let fillers = base >= threshold ? k : 0;
    let filler = 0;
    const mark = this.generation;
    const nextFiller = () => {
      while (filler < n && stamp[filler] === mark) filler++;
      return filler;
    };
    let f = fillers > 0 ? nextFiller() : n;
    let h = 0;
    while (h < kept || (fillers > 0 && f < n)) {
      if (h < kept && (fillers === 0 || f >= n || hits[h] < f)) {
        const d = hits[h++];
        offer(d, Math.fround(sums[d] + base));
      } else {
        offer(f, base);
        fillers--;
        filler++;
        f = fillers > 0 ? nextFiller() : n;
      }
    }
    for (let i = 0; i < count; i++) sums[touched[i]] = 0;
  }
}

/** Arranges `heap[0 … size]` as a min-heap. */
function heapify(heap: Float32Array, size: number): void {
  for (let i = (size >>> 1) - 1; i >= 0; i--) siftDown(heap, size, i, heap[i]);
}

/** Replaces the heap's minimum with `value` (larger) and restores the order. */
function replaceTop(heap: Float32Array, size: number, value: number): void {
  siftDown(heap, size, 0, value);
}

function siftDown(heap: Float32Array, size: number, from: number, value: number): void {
  let i = from;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1] < heap[child]) child++;
    if (!(heap[child] < value)) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = value;
}
