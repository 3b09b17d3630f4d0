/**
 * Rank fusion of any rankings, as ranx defines it (github AmenRa/ranx, `ranx/fusion/rrf.py`, `comb_sum.py`,
 * `comb_mnz.py`, `wsum.py`), per query over each input's top `depth`:
 *
 * - `rrf`: Σᵢ 1 / (k + rankᵢ(d)), rank 1-based in input i's list (`_rrf_score`: `1 / (k + i + 1)` for the
 *   document at 0-based position i), then CombSUM of those; k = 60 (`rrf(runs, k: int = 60)`);
 * - `combsum`: Σᵢ sᵢ(d) over the normalised scores (`res.get(doc_id, 0.0)`: a missing document adds 0);
 * - `combmnz`: CombSUM × the number of inputs that retrieved d (`sum(scores) * len(scores)`);
 * - `wsum`: Σᵢ wᵢ · sᵢ(d) (`weights[i] * res.get(doc_id, 0.0)`); with two inputs W·A + (1 − W)·B.
 *
 * An input's list is read in the order the lab stores it — score descending, ties by document row (run-file
 * documents outside the corpus after those inside, by id) — whatever the evaluation mode, so a TREC re-score
 * never changes a fused list. The fused list holds every document any input retrieved (as ranx keeps it),
 * stored as float32 like every ranking and ordered by that stored score, descending, ties by document row:
 * exactly tied fusions (the same ranks in swapped inputs) stay tied, and TREC mode reorders them by id as it
 * does for any ranking (`RankingOrder`).
 */
import type { FusionMethodName } from '../../report/evalReport.ts';
import { normalizeList, type NormalizationName } from './scoreNormalization.ts';
import type { Rankings } from '../../data/rankings.ts';

/** A fusion's error, naming the fusion (its name, or the spec text being read). */
export class FusionError extends Error {
  constructor(
    readonly fusion: string,
    message: string,
  ) {
    super(`${fusion}: ${message}`);
    this.name = 'FusionError';
  }
}

/** ranx's default k of reciprocal rank fusion (`rrf(runs, k: int = 60)`). */
export const RRF_K = 60;

/**
 * How the inputs' lists are combined. `wsum`'s weights are one per input; null asks for a weight chosen by
 * cross-validation over queries (two inputs; see `crossValidatedWeight.ts`).
 */
export type FusionMethod =
  | { name: 'rrf'; k: number }
  | { name: 'combsum' }
  | { name: 'combmnz' }
  | { name: 'wsum'; weights: readonly number[] | null };

export type { FusionMethodName };

/** Whether a method reads the inputs' scores (all but rrf, which reads only positions). */
export function usesScores(method: FusionMethod): boolean {
  return method.name !== 'rrf';
}

/**
 * The normalisation a method takes when none is given, following ranx's `fuse(runs, norm="min-max", …)`:
 * min-max for every score-based method. rrf reads only positions, and every ranx normalisation keeps each
 * list's order (`_min_max_norm` rebuilds the dict in the same key order), so under ranx's default rrf is
 * rrf on the lists as they are: `none` here.
 */
export function defaultNormalization(method: FusionMethod): NormalizationName {
  return usesScores(method) ? 'min-max' : 'none';
}

export interface PrepareOptions {
  /** `rrf` (with its k) turns positions into 1 / (k + rank); the others read normalised scores. */
  method: FusionMethod;
  normalization: NormalizationName;
  /** Results of each input's list read, from its top. */
  depth: number;
}

/**
 * The inputs read once, ready to be fused with any weights: each one's top `depth` per query as fusion values
 * (normalised scores, or rrf's 1 / (k + rank)) over a document key space shared by all of them.
 */
export class PreparedFusion {
  readonly queryCount: number;
  /** The union of the inputs' ids outside the corpus, sorted: the fused rankings' `unknownIds`. */
  readonly unknownIds: string[];
  /** Longest list read from each input (≤ depth). */
  readonly depths: number[];
  private readonly lists: { offsets: Int32Array; keys: Int32Array; values: Float64Array }[];
  /** Keys below this are document rows; at or above it, `unknownIds[key − rowCount]`. */
  private readonly rowCount: number;
  private readonly combmnz: boolean;
  /**
   * Scratch per document key, reused query after query: [stamp, sum, count] side by side, so that one cache
   * line serves a document's three (the key space is the corpus, touched at random). `stamp` is the query row
   * that last touched the key.
   */
  private readonly scratch: Float64Array;

  constructor(inputs: readonly Rankings[], options: PrepareOptions) {
    if (inputs.length === 0) throw new RangeError('nothing to fuse');
    this.queryCount = inputs[0].offsets.length - 1;
    for (const input of inputs) {
      if (input.offsets.length - 1 !== this.queryCount) throw new RangeError(`rankings for ${input.offsets.length - 1} and ${this.queryCount} queries cannot be fused`);
    }
    let maxRow = -1;
    for (const { docs } of inputs) for (let i = 0; i < docs.length; i++) if (docs[i] > maxRow) maxRow = docs[i];
    this.rowCount = maxRow + 1;
    this.unknownIds = [...new Set(inputs.flatMap((input) => input.unknownIds))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const unknownKey = new Map(this.unknownIds.map((id, i) => [id, this.rowCount + i]));
    const { method, normalization, depth } = options;
    this.combmnz = method.name === 'combmnz';
    this.depths = [];
    this.lists = inputs.map((input) => {
      const offsets = new Int32Array(this.queryCount + 1);
      for (let q = 0; q < this.queryCount; q++) offsets[q + 1] = offsets[q] + Math.min(depth, input.offsets[q + 1] - input.offsets[q]);
      const keys = new Int32Array(offsets[this.queryCount]);
      const values = new Float64Array(offsets[this.queryCount]);
      const ownKeys = Int32Array.from(input.unknownIds, (id) => unknownKey.get(id)!);
      let longest = 0;
      for (let q = 0; q < this.queryCount; q++) {
        const from = input.offsets[q];
        const to = offsets[q];
        const n = offsets[q + 1] - to;
        if (n > longest) longest = n;
        for (let i = 0; i < n; i++) {
          const doc = input.docs[from + i];
          keys[to + i] = doc >= 0 ? doc : ownKeys[-doc - 1];
          values[to + i] = method.name === 'rrf' ? 1 / (method.k + i + 1) : input.scores[from + i];
        }
        // Normalised over the list as read (its top `depth`), as ranx normalises the run it is given.
        if (method.name !== 'rrf') normalizeList(normalization, values, to, to + n, values);
      }
      this.depths.push(longest);
      return { offsets, keys, values };
    });
    this.scratch = new Float64Array(3 * (this.rowCount + this.unknownIds.length));
  }

  /**
   * The fused rankings with `weights` (one per input; every query the same, or chosen per query row). rrf,
   * combsum and combmnz weigh every input 1.
   */
  fuse(weights: readonly number[] | ((q: number) => readonly number[])): Rankings {
    const weightsOf = typeof weights === 'function' ? weights : () => weights;
    const { lists, scratch, combmnz, rowCount, queryCount } = this;
    const inputs = lists.length;
    const capacity = lists.reduce((n, list) => n + list.keys.length, 0);
    const offsets = new Int32Array(queryCount + 1);
    const docs = new Int32Array(capacity);
    const scores = new Float32Array(capacity);
    const room = lists.reduce((n, list) => n + maxLength(list.offsets), 0);
    const touched = new Int32Array(room);
    const keysInOrder = new Int32Array(room);
    const fused = new Float32Array(room);
    // One native numeric sort per query: the float32 score's bits turned so that ascending is descending
    // score, times 2^21, plus the document's place in `touched`; equal scores are put in key order after.
    if (room > SLOTS) throw new RangeError(`${room} results per query to fuse: at most ${SLOTS}`);
    const packed = new Float64Array(room);
    const bits = new Float32Array(1);
    const word = new Uint32Array(bits.buffer);
    scratch.fill(-1);
    for (let q = 0; q < queryCount; q++) {
      const w = weightsOf(q);
      if (w.length !== inputs) throw new RangeError(`${w.length} weights for ${inputs} inputs`);
      let count = 0;
      for (let i = 0; i < inputs; i++) {
        const { offsets: at, keys, values } = lists[i];
        const wi = w[i];
        for (let j = at[q], end = at[q + 1]; j < end; j++) {
          const key = keys[j];
          const slot = 3 * key;
          if (scratch[slot] !== q) {
            scratch[slot] = q;
            scratch[slot + 1] = 0;
            scratch[slot + 2] = 0;
            touched[count++] = key;
          }
          // ranx adds `weights[i] * res.get(doc_id, 0.0)` input by input; the inputs lacking d add 0.
          scratch[slot + 1] += wi * values[j];
          scratch[slot + 2]++;
        }
      }
      // Stored as float32 (+ 0 turns −0 into 0, which the order treats alike) and ordered by that value.
      for (let j = 0; j < count; j++) {
        const slot = 3 * touched[j];
        fused[j] = (combmnz ? scratch[slot + 1] * scratch[slot + 2] : scratch[slot + 1]) + 0;
      }
      const start = offsets[q];
      for (let j = 0; j < count; j++) {
        bits[0] = fused[j];
        const u = word[0];
        // Ascending float order as unsigned bits (negatives reversed), then flipped for descending.
        const ascending = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
        // A NaN (a model's broken vectors) goes last, as a comparison with it would never put it first.
        packed[j] = (fused[j] === fused[j] ? 0xffffffff - ascending : 0xffffffff) * SLOTS + j;
      }
      const sorted = packed.subarray(0, count).sort();
      for (let j = 0; j < count; j++) {
        const at = sorted[j] % SLOTS;
        keysInOrder[j] = touched[at];
        scores[start + j] = fused[at];
      }
      // Runs of equal scores came out in first-seen order: put each in key order (rows, then unknown ids).
      for (let j = 1; j < count; j++) {
        const score = scores[start + j];
        if (score !== scores[start + j - 1]) continue;
        const key = keysInOrder[j];
        let k = j - 1;
        while (k >= 0 && scores[start + k] === score && keysInOrder[k] > key) {
          keysInOrder[k + 1] = keysInOrder[k];
          k--;
        }
        keysInOrder[k + 1] = key;
      }
      for (let j = 0; j < count; j++) {
        const key = keysInOrder[j];
        docs[start + j] = key < rowCount ? key : -(key - rowCount) - 1;
      }
      offsets[q + 1] = start + count;
    }
    const total = offsets[queryCount];
    return { offsets, docs: docs.slice(0, total), scores: scores.slice(0, total), unknownIds: this.unknownIds };
  }
}

/** A list's places packed beside a 32-bit score in a float64's 53 bits: up to 2^21 results per query. */
const SLOTS = 2 ** 21;

function maxLength(offsets: Int32Array): number {
  let longest = 0;
  for (let q = 0; q + 1 < offsets.length; q++) longest = Math.max(longest, offsets[q + 1] - offsets[q]);
  return longest;
}

/** The weights a method applies: wsum's given ones, else 1 per input. */
export function methodWeights(method: FusionMethod, inputCount: number): number[] {
  if (method.name !== 'wsum') return new Array<number>(inputCount).fill(1);
  if (!method.weights) throw new RangeError('wsum without weights: choose them by cross-validation first');
  return [...method.weights];
}

/**
 * `inputs` fused by `method` over each one's top `depth` (normalised by `normalization`, default as ranx's
 * `fuse`: min-max for score-based methods, nothing for rrf). wsum needs its weights here.
 */
export function fuseRankings(inputs: readonly Rankings[], method: FusionMethod, options: { depth: number; normalization?: NormalizationName }): Rankings {
  const prepared = new PreparedFusion(inputs, { method, depth: options.depth, normalization: options.normalization ?? defaultNormalization(method) });
  return prepared.fuse(methodWeights(method, inputs.length));
}

/**
 * Whether a ranking carries no scores to fuse: some list (to `depth`) holds two or more results, and no list
 * has two different scores (positions only, e.g. a run file written with a constant score).
 */
export function lacksScores(rankings: Rankings, depth: number): boolean {
  let listed = false;
  for (let q = 0; q + 1 < rankings.offsets.length; q++) {
    const start = rankings.offsets[q];
    const end = Math.min(rankings.offsets[q + 1], start + depth);
    if (end - start > 1) listed = true;
    for (let i = start + 1; i < end; i++) if (rankings.scores[i] !== rankings.scores[start]) return false;
  }
  return listed;
}
