/**
 * One index per dataset and tokenizer, shared by every BM25 checkpoint of a run (lucene and bm25+ side by
 * side tokenize the corpus once): held while the dataset object lives, keyed by the tokenizer's settings.
 */
import type { Dataset } from '../data/dataset.ts';
import { buildBm25Index, type Bm25Index, type IndexOptions } from './bm25Index.ts';
import type { Bm25Tokenizer } from './bm25Tokenizer.ts';

const indexes = new WeakMap<Dataset, Map<string, Promise<Bm25Index>>>();

/**
 * The index of `dataset`'s documents under `tokenizer`: built now (reporting through `options`), or the one
 * an earlier checkpoint built or is building. `built` says which. A build that fails or is cancelled is
 * forgotten, so the next run starts afresh.
 */
export async function sharedBm25Index(dataset: Dataset, tokenizer: Bm25Tokenizer, options: IndexOptions = {}): Promise<{ index: Bm25Index; built: boolean }> {
  let byTokenizer = indexes.get(dataset);
  if (!byTokenizer) indexes.set(dataset, (byTokenizer = new Map()));
  const existing = byTokenizer.get(tokenizer.key);
  if (existing) return { index: await existing, built: false };
  const building = buildBm25Index(dataset.documents.texts, tokenizer, options);
  byTokenizer.set(tokenizer.key, building);
  try {
    return { index: await building, built: true };
  } catch (error) {
    if (byTokenizer.get(tokenizer.key) === building) byTokenizer.delete(tokenizer.key);
    throw error;
  }
}

/** Drops `dataset`'s indexes (their memory goes with the dataset anyway; this frees it sooner). */
export function releaseBm25Indexes(dataset: Dataset): void {
  indexes.delete(dataset);
}
