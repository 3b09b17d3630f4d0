/**
 * The BM25 variants exactly as bm25s 0.3.11 computes them (`bm25s/scoring.py`, after Kamphuis et al.,
 * "Which BM25 do you mean?", ECIR 2020). A document's score for a query is the sum, over the query's terms
 * (a repeated term counts each time, a term outside the vocabulary not at all), of
 *
 *   idf(t) · tfc(tf, dl)            with N documents, df(t) of them holding t, dl = len(d), avgdl = mean dl
 *
 * | method      | idf (`_score_idf_*`)                        | tfc (`_score_tfc_*`)                                   |
 * |-------------|---------------------------------------------|--------------------------------------------------------|
 * | `lucene`    | ln(1 + (N − df + 0.5) / (df + 0.5))         | tf / (k1 · ((1 − b) + b · dl / avgdl) + tf)   (no k1 + 1) |
 * | `robertson` | ln(max(1, (N − df + 0.5) / (df + 0.5)))     | as lucene                                              |
 * | `atire`     | ln(N / df)                                  | tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl))   |
 * | `bm25l`     | ln((N + 1) / (df + 0.5))                    | (k1 + 1) · (c + δ) / (k1 + c + δ),  c = tf / (1 − b + b · dl / avgdl) |
 * | `bm25+`     | ln((N + 1) / df)                            | (k1 + 1) · tf / (k1 · (1 − b + b · dl / avgdl) + tf) + δ |
 *
 * bm25l and bm25+ give a term a score in documents that lack it too (tf = 0, dl = avgdl: bm25s's
 * `_build_nonoccurrence_array`); bm25s stores each posting's weight less that score and adds the query's
 * non-occurrence total to every document (`get_scores_from_ids`), and so does this.
 *
 * Precision as bm25s with NumPy 2: idf is stored as float32; the tfc is computed in float64 (avgdl is a NumPy
 * float64, which NumPy 2 does not demote), except the `(k1 + 1) · tf` products of atire and bm25+, which are
 * float32 (a Python float against a float32 array); each posting's weight idf · tfc (− non-occurrence) is
 * stored as float32, and a query's scores are float32 sums in query-term order. Reproducing those roundings
 * gives bm25s's scores to the last bit rather than to 1e-7.
 */
import type { Bm25Index } from './bm25Index.ts';

export type Bm25Method = 'lucene' | 'robertson' | 'atire' | 'bm25l' | 'bm25+';

export const BM25_METHODS: readonly Bm25Method[] = ['lucene', 'robertson', 'atire', 'bm25l', 'bm25+'];

export interface Bm25Parameters {
  method: Bm25Method;
  k1: number;
  b: number;
  /** δ of bm25l and bm25+ (ignored by the others). */
  delta: number;
}

/** bm25s's `BM25()` defaults. */
export const BM25_DEFAULTS: Bm25Parameters = { method: 'lucene', k1: 1.5, b: 0.75, delta: 0.5 };

const f32 = Math.fround;

/** idf of a term held by `df` of `n` documents (float64; bm25s stores it as float32). */
export function bm25Idf(method: Bm25Method, df: number, n: number): number {
  switch (method) {
    case 'lucene':
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    case 'robertson': {
      // allow_negative=False: a term in more than half the documents weighs nothing rather than less.
      const inner = (n - df + 0.5) / (df + 0.5);
      return Math.log(inner < 1 ? 1 : inner);
    }
    case 'atire':
      return Math.log(n / df);
    case 'bm25l':
      return Math.log((n + 1) / (df + 0.5));
    case 'bm25+':
      return Math.log((n + 1) / df);
  }
}

/**
 * The term-frequency component for `tf` occurrences in a document of `dl` terms, operations in bm25s's order
 * (`tf` a float32 count, the rest float64 — see the file comment for the two float32 products).
 */
export function bm25Tfc(params: Bm25Parameters, tf: number, dl: number, avgdl: number): number {
  const { k1, b, delta } = params;
  switch (params.method) {
    case 'lucene':
    case 'robertson':
      return tf / (k1 * (1 - b + (b * dl) / avgdl) + tf);
    case 'atire':
      return f32(tf * f32(k1 + 1)) / (tf + k1 * (1 - b + (b * dl) / avgdl));
    case 'bm25l': {
      const c = tf / (1 - b + (b * dl) / avgdl);
      return ((k1 + 1) * (c + delta)) / (k1 + c + delta);
    }
    case 'bm25+':
      return f32(f32(k1 + 1) * tf) / (k1 * (1 - b + (b * dl) / avgdl) + tf) + delta;
  }
}

/** Whether the method scores a term in documents that lack it (bm25s's `methods_requiring_nonoccurrence`). */
export function scoresAbsentTerms(method: Bm25Method): boolean {
  return method === 'bm25l' || method === 'bm25+';
}

/** A variant's weights over one index: what query scoring adds up. */
export interface Bm25Weights {
  params: Bm25Parameters;
  /** float32 weight of each posting of the index, aligned with `index.docs`. */
  postings: Float32Array;
  /** Per term, the score of a document lacking it (bm25l, bm25+); null for the other methods. */
  absent: Float32Array | null;
}

/** Every posting's weight under `params` (bm25s's `_build_scores_and_indices_for_matrix`). */
export function bm25Weights(index: Bm25Index, params: Bm25Parameters): Bm25Weights {
  checkParameters(params);
  const { offsets, docs, frequencies, lengths, averageLength: avgdl, documentCount: n } = index;
  const { method, k1, delta } = params;
  const termCount = offsets.length - 1;
  const postings = new Float32Array(docs.length);
  const absent = scoresAbsentTerms(method) ? new Float32Array(termCount) : null;
  // Per document, the length normalisation 1 − b + b · dl / avgdl and k1 times it: the very float64 values
  // bm25Tfc computes, so the loops below give its results bit for bit, a posting at a time.
  const norm = new Float64Array(n);
  const kNorm = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    norm[d] = 1 - params.b + (params.b * lengths[d]) / avgdl;
    kNorm[d] = k1 * norm[d];
  }
  const k1Plus1 = f32(k1 + 1);
  for (let t = 0; t < termCount; t++) {
    const start = offsets[t];
    const end = offsets[t + 1];
    const df = end - start;
    if (df === 0) continue;
    const idf = bm25Idf(method, df, n);
    const idf32 = f32(idf);
    // The non-occurrence score multiplies the unrounded idf (bm25s calls the idf function again there).
    const none = absent ? (absent[t] = f32(idf * bm25Tfc(params, 0, avgdl, avgdl))) : 0;
    switch (method) {
      case 'lucene':
      case 'robertson':
        for (let p = start; p < end; p++) {
          const tf = frequencies[p];
          postings[p] = idf32 * (tf / (kNorm[docs[p]] + tf));
        }
        break;
      case 'atire':
        for (let p = start; p < end; p++) {
          const tf = frequencies[p];
          postings[p] = idf32 * (f32(tf * k1Plus1) / (tf + kNorm[docs[p]]));
        }
        break;
      case 'bm25l':
        for (let p = start; p < end; p++) {
          const c = frequencies[p] / norm[docs[p]];
          postings[p] = idf32 * (((k1 + 1) * (c + delta)) / (k1 + c + delta)) - none;
        }
        break;
      case 'bm25+':
        for (let p = start; p < end; p++) {
          const tf = frequencies[p];
          postings[p] = idf32 * (f32(k1Plus1 * tf) / (kNorm[docs[p]] + tf) + delta) - none;
        }
        break;
    }
  }
  return { params, postings, absent };
}

/**
 * The non-occurrence total of a query's terms, the float32 sum NumPy's `ndarray.sum()` makes: pairwise, with
 * eight running partial sums within blocks of up to 128 (checked against NumPy 2.4 on random arrays).
 */
export function absentTotal(absent: Float32Array, termIds: Int32Array): number {
  return pairwiseSum(Float32Array.from(termIds, (t) => absent[t]), 0, termIds.length);
}

/** NumPy's `pairwise_sum` for float32 (`loops_utils.h.src`), over `values[from … from + n]`. */
function pairwiseSum(values: Float32Array, from: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum = f32(sum + values[from + i]);
    return sum;
  }
  if (n <= 128) {
    const r = values.slice(from, from + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += values[from + i + j];
    let sum = f32(f32(f32(r[0] + r[1]) + f32(r[2] + r[3])) + f32(f32(r[4] + r[5]) + f32(r[6] + r[7])));
    for (; i < n; i++) sum = f32(sum + values[from + i]);
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return f32(pairwiseSum(values, from, half) + pairwiseSum(values, from + half, n - half));
}

function checkParameters({ method, k1, b, delta }: Bm25Parameters): void {
  if (!BM25_METHODS.includes(method)) throw new RangeError(`BM25: unknown method "${method}" (one of ${BM25_METHODS.join(', ')})`);
  if (!(Number.isFinite(k1) && k1 >= 0)) throw new RangeError(`BM25: k1 must be a number ≥ 0, got ${k1}`);
  if (!(Number.isFinite(b) && b >= 0 && b <= 1)) throw new RangeError(`BM25: b must be within [0, 1], got ${b}`);
  if (!Number.isFinite(delta)) throw new RangeError(`BM25: delta must be a number, got ${delta}`);
}
