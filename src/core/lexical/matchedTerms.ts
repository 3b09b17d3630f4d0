/**
 * Why BM25 ranked a document: the places in its text where a query term occurs. A document token matches
 * when its term (its stem, stop words never) is one of the query's terms, which is exactly what BM25 adds
 * up; the per-query view marks these spans.
 */
import type { Bm25Tokenizer } from './bm25Tokenizer.ts';

export interface MatchedSpan {
  /** `documentText.slice(start, end)` is the matching word as written. */
  start: number;
  end: number;
  /** The term both share (a stem). */
  term: string;
}

/** The spans of `documentText`'s tokens whose term is one of `queryText`'s, in text order. */
export function matchedTerms(queryText: string, documentText: string, tokenizer: Bm25Tokenizer): MatchedSpan[] {
  const wanted = new Set(tokenizer.terms(queryText));
  if (wanted.size === 0) return [];
  const spans: MatchedSpan[] = [];
  for (const { start, end, term } of tokenizer.tokens(documentText)) {
    if (term !== null && wanted.has(term)) spans.push({ start, end, term });
  }
  return spans;
}
