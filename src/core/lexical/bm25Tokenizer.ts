/**
 * bm25s's tokenizer, `bm25s.tokenize(texts, lower=True, stopwords="en", stemmer=Stemmer.Stemmer("english"))`
 * (bm25s 0.3.11 `bm25s/tokenization.py` `tokenize`):
 *
 *   text = text.lower()                                   # lower=True
 *   splitted = re.compile(r"(?u)\b\w\w+\b").findall(text)  # token_pattern
 *   for token in splitted:
 *       if token in stopwords_set: continue                 # stop words, before stemming
 *   tokens_stemmed = stemmer.stemWords(unique_tokens)        # then each kept token's stem
 *
 * Python's `\w` on a str is `str.isalnum()` or `_`, that is the letters (Lu Ll Lt Lm Lo) and the numbers
 * (Nd Nl No; the CJK numerals are Lo) — not the combining marks. `\p{L}\p{N}_` is the same set (checked on
 * every code point assigned in both Unicode versions). `\b\w\w+\b` matches exactly the maximal runs of
 * such characters that are at least two long, which is what `[\p{L}\p{N}_]{2,}` finds scanning from the left,
 * without JavaScript's ASCII-only `\b`. `toLowerCase()` is Python's `str.lower()` (full case mapping, final
 * sigma) on the same Unicode data. An empty text, or one of stop words alone, has no terms (bm25s's default
 * `allow_empty=True` adds no placeholder token).
 */
import { loadEnglishStemmer, STEMMER_PACKAGE, type Stem } from './englishStemmer.ts';
import { ENGLISH_STOPWORDS } from './englishStopwords.ts';
import { WordScanner } from './wordScanner.ts';

/**
 * bm25s's `token_pattern` in JavaScript (see the file comment): the definition, and the oracle the faster
 * {@link WordScanner} (which finds the same words) is tested against.
 */
export const TOKEN_PATTERN = /[\p{L}\p{N}_]{2,}/gu;

/** bm25s's default `token_pattern`, as its users read it in their code. */
const BM25S_TOKEN_PATTERN = String.raw`(?u)\b\w\w+\b`;

export interface Bm25TokenizerOptions {
  /** Lower-case before splitting (default true). */
  lower?: boolean;
  /** 'en' (default): bm25s's English list; a list of words; null: keep every token. */
  stopwords?: 'en' | readonly string[] | null;
  /** 'english' (default): the Snowball English stemmer; null: terms are the tokens themselves. */
  stemmer?: 'english' | null;
}

/** A token of a text: `text.slice(start, end)` (before lower-casing) and its term, null for a stop word. */
export interface TextToken {
  start: number;
  end: number;
  term: string | null;
}

export interface Bm25Tokenizer {
  /** Identifies the settings: texts tokenized with equal keys have equal terms. */
  readonly key: string;
  /** The settings in words, for a checkpoint's notes. */
  readonly description: string;
  /** The terms of `text` in order, repeats kept: bm25s's tokens of it as strings. */
  terms(text: string): string[];
  /** The term of one word as the token pattern found it (lower-cased when `lower`), or null for a stop word. */
  termOf(word: string): string | null;
  /** The words of `text` as the pattern finds them (lower-cased when `lower`), stop words included. */
  words(text: string): string[];
  /** `text` as the pattern reads it: lower-cased when `lower` (a {@link WordScanner} then finds its words). */
  prepare(text: string): string;
  /** Every token of `text` with its position in `text`, for marking matches. */
  tokens(text: string): TextToken[];
}

/**
 * A tokenizer with bm25s's settings, `options` changing them. Async because the stemmer's WebAssembly loads
 * on first use.
 */
export async function loadBm25Tokenizer(options: Bm25TokenizerOptions = {}): Promise<Bm25Tokenizer> {
  const lower = options.lower ?? true;
  const stopwordOption = options.stopwords === undefined ? 'en' : options.stopwords;
  const stopList = stopwordOption === 'en' ? ENGLISH_STOPWORDS : (stopwordOption ?? []);
  const stopwords = new Set(stopList);
  const stemmerName = options.stemmer === undefined ? 'english' : options.stemmer;
  const stem: Stem | null = stemmerName === 'english' ? await loadEnglishStemmer() : null;

  // A corpus repeats its words: each distinct word is looked up (and stemmed) once, as bm25s does.
  const cache = new Map<string, string | null>();
  const termOf = (word: string): string | null => {
    let term = cache.get(word);
    if (term === undefined) {
      term = stopwords.has(word) ? null : stem ? stem(word) : word;
      cache.set(word, term);
    }
    return term;
  };
  const scanner = new WordScanner();
  const words = (text: string): string[] => {
    const lowered = lower ? text.toLowerCase() : text;
    const found: string[] = [];
    for (scanner.reset(lowered); scanner.next(); ) found.push(lowered.slice(scanner.start, scanner.end));
    return found;
  };

  const stopKey = stopwordOption === 'en' ? 'en' : stopwordOption === null ? 'none' : `[${[...stopwords].sort().join(',')}]`;
  const key = `lower=${lower}|pattern=${TOKEN_PATTERN.source}|stopwords=${stopKey}|stemmer=${stemmerName ?? 'none'}`;
  const description = [
    lower ? 'lower case' : 'case kept',
    `token pattern ${BM25S_TOKEN_PATTERN}`,
    stopwordOption === 'en' ? "bm25s's English stop words" : stopwords.size ? `${stopwords.size} stop words` : 'no stop words',
    stem ? `Snowball English stemmer (${STEMMER_PACKAGE})` : 'no stemmer',
  ].join(', ');

  return {
    key,
    description,
    termOf,
    words,
    prepare: (text) => (lower ? text.toLowerCase() : text),
    terms(text) {
      const terms: string[] = [];
      for (const word of words(text)) {
        const term = termOf(word);
        if (term !== null) terms.push(term);
      }
      return terms;
    },
    tokens(text) {
      const { lowered, starts, ends } = lowerWithOrigins(text, lower);
      const tokens: TextToken[] = [];
      const found = new WordScanner().reset(lowered);
      while (found.next()) {
        const { start: from, end: to } = found;
        tokens.push({ start: starts ? starts[from] : from, end: ends ? ends[to - 1] : to, term: termOf(lowered.slice(from, to)) });
      }
      return tokens;
    },
  };
}

/**
 * `text` lower-cased and, when lower-casing changed the length (İ → i̇), where each position of the result
 * came from: the character of `text` that produced position `i` spans `starts[i]` … `ends[i]`. Null arrays
 * when positions coincide, the usual case.
 */
function lowerWithOrigins(text: string, lower: boolean): { lowered: string; starts: Int32Array | null; ends: Int32Array | null } {
  if (!lower) return { lowered: text, starts: null, ends: null };
  const lowered = text.toLowerCase();
  if (lowered.length === text.length) return { lowered, starts: null, ends: null };
  // Lower-case code point by code point to learn where each piece came from; the whole-string result stays
  // the text (context rules such as the final sigma change a letter, never a length).
  const starts = new Int32Array(lowered.length);
  const ends = new Int32Array(lowered.length);
  let at = 0;
  for (let i = 0; i < text.length && at < lowered.length; ) {
    const width = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    const pieceLength = text.slice(i, i + width).toLowerCase().length;
    for (let j = at; j < Math.min(at + pieceLength, lowered.length); j++) {
      starts[j] = i;
      ends[j] = i + width;
    }
    at += pieceLength;
    i += width;
  }
  return { lowered, starts, ends };
}
