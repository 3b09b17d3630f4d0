/**
 * The inverted index BM25 scores from, in typed arrays: the vocabulary (term → id), each term's postings in
 * CSR form (`offsets` into `docs` and `frequencies`, documents ascending) and each document's length in terms.
 * It holds counts only; the weights of a BM25 variant are derived from it ({@link bm25Weights}), so one
 * index serves every variant and parameter of a run.
 *
 * bm25s (`BM25.build_index_from_ids`) counts the same things: a document's length is the number of its
 * tokens after stop words (repeats counted), `avgdl` their mean over all documents (empty ones included), a
 * term's document frequency the number of documents holding it.
 */
import type { Bm25Tokenizer } from './bm25Tokenizer.ts';
import { ProgressPacer } from './progressPacer.ts';
import { NOT_FOUND, WordInterner } from './wordInterner.ts';
import { WordScanner } from './wordScanner.ts';

export interface Bm25Index {
  /** How the documents were tokenized (queries must be tokenized the same way). */
  tokenizer: Bm25Tokenizer;
  /** Term → id. */
  vocabulary: ReadonlyMap<string, number>;
  /** Id → term. */
  terms: readonly string[];
  documentCount: number;
  /** `[termCount + 1]`: term `t`'s postings are `offsets[t] … offsets[t + 1]`; their count is its document frequency. */
  offsets: Int32Array;
  /** Document rows of the postings, ascending within a term. */
  docs: Int32Array;
  /** Occurrences of the term in the document (Int32 only when some count passes 65 535). */
  frequencies: Uint16Array | Int32Array;
  /** Terms per document, repeats counted, stop words not. */
  lengths: Int32Array;
  /** Mean of `lengths` (bm25s's `avg_doc_len`; 0 for an empty corpus). */
  averageLength: number;
  /** Seconds tokenizing and inverting took. */
  seconds: number;
}

export interface IndexProgress {
  /** Documents tokenized so far (the inversion that follows takes a fraction of the time). */
  done: number;
  total: number;
}

export interface IndexOptions {
  /** Awaited every ~20 ms while building: the caller's chance to yield and to cancel. */
  onProgress?: (progress: IndexProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;

/**
 * An append-only column of the forward index in fixed chunks of 2^20: it grows without copying, where a
 * doubling array would briefly hold one and a half times its contents (hundreds of MB on a million documents).
 */
class ChunkedInt32 {
  readonly chunks: Int32Array[] = [];
  length = 0;
  push(value: number): void {
    const at = this.length & (CHUNK - 1);
    if (at === 0) this.chunks.push(new Int32Array(CHUNK));
    this.chunks[this.chunks.length - 1][at] = value;
    this.length++;
  }
}

/** The same for counts: 16 bits each, the rare count past 65 535 kept aside. */
class ChunkedCounts {
  readonly chunks: Uint16Array[] = [];
  readonly large = new Map<number, number>();
  length = 0;
  push(value: number): void {
    const at = this.length & (CHUNK - 1);
    if (at === 0) this.chunks.push(new Uint16Array(CHUNK));
    if (value > 0xffff) this.large.set(this.length, value);
    this.chunks[this.chunks.length - 1][at] = value;
    this.length++;
  }
}

/** Indexes `texts` (document rows in order) with `tokenizer`. */
export async function buildBm25Index(texts: readonly string[], tokenizer: Bm25Tokenizer, options: IndexOptions = {}): Promise<Bm25Index> {
  const started = performance.now();
  const total = texts.length;
  const pacer = new ProgressPacer(options.onProgress && ((done) => options.onProgress!({ done, total })), options.signal);

  // Pass 1, documents in order: each one's distinct term ids with their counts (a forward index), in the
  // order the terms first occur. `wordIds` holds the term id of each distinct surface word (−1: stop word).
  const wordIds = new WordInterner(1 << 14);
  const scanner = new WordScanner();
  const vocabulary = new Map<string, number>();
  const terms: string[] = [];
  const forwardTerms = new ChunkedInt32();
  const forwardCounts = new ChunkedCounts();
  const documentStarts = new Int32Array(total + 1);
  const lengths = new Int32Array(total);
  let documentFrequencies = new Int32Array(1024);
  // The current document's distinct terms and their counts; `slot[t]` is t's place there while `lastDoc[t]` is the row.
  let lastDoc = new Int32Array(1024).fill(-1);
  let slot = new Int32Array(1024);
  let docTerms = new Int32Array(256);
  let docCounts = new Int32Array(256);
  let lengthSum = 0;

  for (let d = 0; d < total; d++) {
    const text = tokenizer.prepare(texts[d]);
    let length = 0;
    let distinct = 0;
    for (scanner.reset(text); scanner.next(); ) {
      let id = wordIds.get(text, scanner.start, scanner.end, scanner.hash);
      if (id === NOT_FOUND) {
        const word = text.slice(scanner.start, scanner.end);
        const term = tokenizer.termOf(word);
        if (term === null) id = -1;
        else {
          const known = vocabulary.get(term);
          if (known !== undefined) id = known;
          else {
            id = terms.length;
            vocabulary.set(term, id);
            terms.push(term);
            if (id === lastDoc.length) {
              documentFrequencies = grown(documentFrequencies, 0);
              lastDoc = grown(lastDoc, -1);
              slot = grown(slot, 0);
            }
          }
        }
        wordIds.add(word, scanner.hash, id);
      }
      if (id < 0) continue;
      length++;
      if (lastDoc[id] === d) docCounts[slot[id]]++;
      else {
        if (distinct === docTerms.length) {
          docTerms = grown(docTerms, 0);
          docCounts = grown(docCounts, 0);
        }
        lastDoc[id] = d;
        slot[id] = distinct;
        docTerms[distinct] = id;
        docCounts[distinct++] = 1;
        documentFrequencies[id]++;
      }
    }
    for (let i = 0; i < distinct; i++) {
      forwardTerms.push(docTerms[i]);
      forwardCounts.push(docCounts[i]);
    }
    lengths[d] = length;
    lengthSum += length;
    documentStarts[d + 1] = forwardTerms.length;
    if (pacer.due()) await pacer.report(d + 1);
  }
  lastDoc = slot = new Int32Array(0);

  // Pass 2: invert by counting sort. Documents are visited in order, so each term's list comes out ascending.
  const termCount = terms.length;
  const offsets = new Int32Array(termCount + 1);
  for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t] + documentFrequencies[t];
  const postingCount = forwardTerms.length;
  const docs = new Int32Array(postingCount);
  const frequencies = forwardCounts.large.size > 0 ? new Int32Array(postingCount) : new Uint16Array(postingCount);
  const cursor = offsets.slice(0, termCount);
  const termChunks = forwardTerms.chunks;
  const countChunks = forwardCounts.chunks;
  const large = forwardCounts.large.size > 0 ? forwardCounts.large : null;
  for (let d = 0; d < total; d++) {
    for (let p = documentStarts[d], end = documentStarts[d + 1]; p < end; p++) {
      const chunk = p >>> CHUNK_BITS;
      const within = p & (CHUNK - 1);
      const at = cursor[termChunks[chunk][within]]++;
      docs[at] = d;
      frequencies[at] = large ? (large.get(p) ?? countChunks[chunk][within]) : countChunks[chunk][within];
    }
  }
  if (options.onProgress) await pacer.report(total);

  return {
    tokenizer,
    vocabulary,
    terms,
    documentCount: total,
    offsets,
    docs,
    frequencies,
    lengths,
    // numpy's mean of an integer array: the sum (exact below 2^53) over the count, in float64.
    averageLength: total ? lengthSum / total : 0,
    seconds: (performance.now() - started) / 1000,
  };
}

/** `array` at twice the length, the new half filled with `fill`. */
function grown(array: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(array.length * 2);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** The term ids of `text` as `index` knows them, in order, repeats kept, unknown terms left out (bm25s's `get_tokens_ids`). */
export function queryTermIds(index: Bm25Index, text: string): Int32Array {
  const ids: number[] = [];
  for (const term of index.tokenizer.terms(text)) {
    const id = index.vocabulary.get(term);
    if (id !== undefined) ids.push(id);
  }
  return Int32Array.from(ids);
}
