import type { TopKResult } from './topk.types.ts';

/**
 * The k best scores per query, kept as a sorted list each, for kernels that produce scores one document at a
 * time (the quantized scorers). Documents must be offered in index order, so an equal score never displaces
 * an earlier document: ties break by lower index, as in every top-k kernel here.
 */
export class TopKSelection {
  private readonly indices: Int32Array;
  private readonly best: Float64Array;
  private readonly filled: Int32Array;

  constructor(
    private readonly queryCount: number,
    readonly k: number,
  ) {
    this.indices = new Int32Array(queryCount * k).fill(-1);
    this.best = new Float64Array(queryCount * k).fill(-Infinity);
    this.filled = new Int32Array(queryCount);
  }

  /** Takes `doc` into `query`'s list when the list has room or the score beats its last entry. */
  offer(query: number, doc: number, rawScore: number): void {
    const { k, best, indices, filled } = this;
    const base = query * k;
    const count = filled[query];
    // Most scores lose to the current k-th best: this test is the hot path.
    if (count === k && !(rawScore > best[base + k - 1])) return;
    // A NaN (from a broken embedding) ranks last, like −∞, instead of poisoning the comparisons.
    const score = rawScore === rawScore ? rawScore : -Infinity;
    // First position holding a strictly lower score: the new entry goes after its equals.
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (best[base + mid] >= score) lo = mid + 1;
      else hi = mid;
    }
    const end = Math.min(count, k - 1);
    best.copyWithin(base + lo + 1, base + lo, base + end);
    indices.copyWithin(base + lo + 1, base + lo, base + end);
    best[base + lo] = score;
    indices[base + lo] = doc;
    if (count < k) filled[query] = count + 1;
  }

  result(): TopKResult {
    return { queryCount: this.queryCount, k: this.k, indices: this.indices, scores: Float32Array.from(this.best), exactScores: this.best };
  }
}
