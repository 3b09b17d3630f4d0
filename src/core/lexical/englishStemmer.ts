/**
 * The one seam to the Snowball English (Porter2) stemmer: `multilingual-stemmer`, the official Snowball
 * algorithms (3.x) compiled to WebAssembly. bm25s users stem with PyStemmer 3.x, which bundles Snowball 3.x;
 * the JavaScript ports of Snowball 2.x (snowball-stemmers, porter2) differ from it on 75 of SciFact's 36 101
 * distinct words (Snowball 3 keeps "-ogist" as "-og", stops "added" → "ad", leaves "universal", "internal",
 * "organic" alone), so only this package gives bm25s's vocabulary. `englishStemmer.test.ts` checks every
 * SciFact word against PyStemmer when python3 has it.
 *
 * The module instantiates its WebAssembly on import (top-level await), so it is imported here on first use
 * only: a data worker that never runs BM25 never loads it.
 */

/** Stems one lower-case word. */
export type Stem = (word: string) => string;

/** The stemmer package, for notes and fingerprints. */
export const STEMMER_PACKAGE = 'multilingual-stemmer';

let loading: Promise<Stem> | null = null;

/** The Snowball English stemmer, loaded once per realm. */
export function loadEnglishStemmer(): Promise<Stem> {
  loading ??= import('multilingual-stemmer').then(
    (module) => module.createStemmer('en'),
    (error: unknown) => {
      loading = null;
      throw new Error(`the Snowball English stemmer (${STEMMER_PACKAGE}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    },
  );
  return loading;
}
