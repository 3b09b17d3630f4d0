/**
 * BM25 as a built-in checkpoint: the lexical baseline a fine-tune is measured against, ranked here exactly as
 * bm25s ranks it (`BM25(method="lucene", k1=1.5, b=0.75)` over `bm25s.tokenize(texts, stopwords="en",
 * stemmer=Stemmer.Stemmer("english"))`), so its numbers are the ones a user gets from bm25s. Documents are
 * the dataset's document texts as every checkpoint sees them (BEIR: title + " " + text), queries its query
 * texts. The index is built once per dataset and tokenizer and shared by every BM25 checkpoint of the run.
 */
import type { Dataset } from '../data/dataset.ts';
import { sha256Hex } from '../data/sha256.ts';
import type { CheckpointContext, CheckpointProgress, RankingCheckpoint } from './checkpoint.ts';
import { rankingsFromTopK } from '../metrics/rankings.ts';
import { sharedBm25Index } from '../lexical/bm25IndexCache.ts';
import { rankBm25 } from '../lexical/bm25Ranking.ts';
import { BM25_DEFAULTS, bm25Weights, scoresAbsentTerms, type Bm25Parameters } from '../lexical/bm25Scoring.ts';
import { loadBm25Tokenizer, type Bm25TokenizerOptions } from '../lexical/bm25Tokenizer.ts';

export interface Bm25CheckpointOptions extends Partial<Bm25Parameters> {
  /** Results kept per query: the comparison's depth (default 100). */
  depth?: number;
  tokenizer?: Bm25TokenizerOptions;
}

/** The checkpoint's short definition, e.g. "bm25 (lucene, k1 1.5, b 0.75)": a default `source`. */
export function bm25Source(options: Partial<Bm25Parameters> = {}): string {
  const params = { ...BM25_DEFAULTS, ...options };
  return `bm25 (${params.method}, k1 ${params.k1}, b ${params.b}${scoresAbsentTerms(params.method) ? `, delta ${params.delta}` : ''})`;
}

/** BM25 over the dataset as a ranking checkpoint; `identity` names it (e.g. `{ name: 'bm25', source: bm25Source() }`). */
export function bm25Checkpoint(identity: { name: string; source: string; slot?: string }, options: Bm25CheckpointOptions = {}): RankingCheckpoint {
  const params: Bm25Parameters = {
    method: options.method ?? BM25_DEFAULTS.method,
    k1: options.k1 ?? BM25_DEFAULTS.k1,
    b: options.b ?? BM25_DEFAULTS.b,
    delta: options.delta ?? BM25_DEFAULTS.delta,
  };
  const depth = options.depth ?? 100;
  return {
    ...identity,
    kind: 'ranking',
    async rankings(dataset: Dataset, context: CheckpointContext) {
      const tokenizer = await loadBm25Tokenizer(options.tokenizer);
      const documents = dataset.documents.length;
      const started = performance.now();
      const { index, built } = await sharedBm25Index(dataset, tokenizer, {
        signal: context.signal,
        onProgress: ({ done, total }) => context.onProgress(withRate('index', done, total, started)),
      });
      const indexed = (performance.now() - started) / 1000;
      // BM25 encodes nothing: its stages are the index (built here, or an earlier BM25 checkpoint's) and the search.
      await context.onProgress({ stage: 'index', done: documents, total: documents, cached: built ? 0 : documents, seconds: indexed });

      const queries = dataset.queries.texts;
      const scoring = performance.now();
      const weights = bm25Weights(index, params);
      const ranked = await rankBm25(index, weights, queries, depth, {
        signal: context.signal,
        onProgress: ({ done, total }) => context.onProgress(withRate('search', done, total, scoring)),
      });
      const scored = (performance.now() - scoring) / 1000;
      await context.onProgress({ stage: 'search', done: queries.length, total: queries.length, seconds: scored });

      const definition = bm25Definition(params, tokenizer.description);
      return {
        rankings: rankingsFromTopK(ranked),
        backend: 'BM25 inverted index (JavaScript, CPU)',
        fingerprint: await sha256Hex(`bm25|${params.method}|k1=${params.k1}|b=${params.b}|delta=${params.delta}|${tokenizer.key}`),
        notes: [
          definition,
          `index: ${index.documentCount} documents, ${index.terms.length} terms, ${index.docs.length} postings, mean length ${index.averageLength.toFixed(1)} terms; ${
            built ? `built in ${index.seconds.toFixed(2)} s` : 'shared with another BM25 checkpoint of this run'
          }; ${queries.length} queries scored in ${scored.toFixed(2)} s`,
        ],
      };
    },
  };
}

/** The definition in words: what the notes state and a reader compares with their bm25s call. */
function bm25Definition(params: Bm25Parameters, tokenizerDescription: string): string {
  const delta = scoresAbsentTerms(params.method) ? `, delta = ${params.delta}` : '';
  return `BM25 as bm25s: ${params.method}, k1 = ${params.k1}, b = ${params.b}${delta}; tokenizer: ${tokenizerDescription}; ties by document order; lists as deep as bm25s's retrieve(k), documents without a query term last`;
}

function withRate(stage: 'index' | 'search', done: number, total: number, started: number): CheckpointProgress {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 && done > 0 ? done / seconds : 0;
  return { stage, done, total, textsPerSecond: rate || undefined, etaSeconds: rate ? (total - done) / rate : undefined };
}
