import { describe, expect, it } from 'vitest';
import { loadBm25Tokenizer, TOKEN_PATTERN } from './bm25Tokenizer.ts';
import { WordScanner } from './wordScanner.ts';
import { ENGLISH_STOPWORDS } from './englishStopwords.ts';

// Expected terms are what bm25s 0.3.11 returns for each text:
// bm25s.tokenize([text], stopwords="en", stemmer=Stemmer.Stemmer("english"), return_ids=False)[0]
const CASES: [string, string, string[]][] = [
  ['apostrophes split words; one-letter pieces and stop words drop', "Don't stop: it's the patient's choice", ['don', 'stop', 'patient', 'choic']],
  ['hyphens split, digits are word characters, single digits drop', 'state-of-the-art COVID-19 vaccines, 3.5 mg, 2020s, 10-fold', ['state', 'art', 'covid', '19', 'vaccin', 'mg', '2020s', '10', 'fold']],
  ['accents stay; a combining accent (not a word character) ends the word', 'Café naïve cafe\u0301 résumé Über', ['café', 'naïv', 'cafe', 'résumé', 'über']],
  ['CJK runs are single words', '北京大学 研究 東京', ['北京大学', '研究', '東京']],
  ['underscores are word characters', 'snake_case __init__ _x a_ 1_000', ['snake_cas', '__init__', '_x', 'a_', '1_000']],
  ['stop words go before stemming', 'The cat is on the mat', ['cat', 'mat']],
  ['İ lower-cases to i + a combining dot; final sigma', 'İstanbul ΟΔΟΣ', ['stanbul', 'οδος']],
  ['no word of two characters', 'x y z', []],
  ['empty', '', []],
  ['astral letters count as one character each; emoji are not words', '𝐀𝐁 𝐀 😀😀 a😀b', ['𝐀𝐁']],
];

describe('the bm25s tokenizer', () => {
  it.each(CASES)('%s', async (_why, text, expected) => {
    const tokenizer = await loadBm25Tokenizer();
    expect(tokenizer.terms(text)).toEqual(expected);
  });

  it('has bm25s\'s 33 English stop words and removes them by surface form, not by stem', async () => {
    expect(ENGLISH_STOPWORDS).toHaveLength(33);
    const tokenizer = await loadBm25Tokenizer();
    expect(tokenizer.termOf('the')).toBeNull();
    // "being" and "theirs" stem to stop words but are not stop words themselves: bm25s keeps them.
    expect(tokenizer.terms('being theirs')).toEqual(['be', 'their']);
    expect(tokenizer.terms('THE The the')).toEqual([]);
  });

  it('follows its options: case kept, own stop words, no stemmer', async () => {
    const plain = await loadBm25Tokenizer({ lower: false, stopwords: ['Cats'], stemmer: null });
    expect(plain.terms('Cats and DOGS running')).toEqual(['and', 'DOGS', 'running']);
    expect(plain.key).not.toBe((await loadBm25Tokenizer()).key);
    const none = await loadBm25Tokenizer({ stopwords: null, stemmer: null });
    expect(none.terms('the cats')).toEqual(['the', 'cats']);
    expect(none.description).toMatch(/no stop words, no stemmer/);
  });

  it('gives each token its place in the original text, also where lower-casing changed lengths', async () => {
    const tokenizer = await loadBm25Tokenizer();
    // "İİ" lower-cases to "i̇i̇": two one-letter words split by combining dots, so no token.
    const text = 'İİ Running in İstanbul';
    const tokens = tokenizer.tokens(text);
    expect(tokens.map(({ start, end }) => text.slice(start, end))).toEqual(['Running', 'in', 'stanbul']);
    expect(tokens.map((t) => t.term)).toEqual(['run', null, 'stanbul']);
  });

  it('scans exactly the words the token pattern matches, on random text of awkward characters', () => {
    const alphabet = ['a', 'Z', '1', '_', ' ', '-', "'", 'é', 'e\u0301', '\u0301', '北', '𝐀', '😀', '\ud800', '\udc00', 'Σ', '٣', 'Ⅻ', '\u00b2', '\u200b', '\n'];
    let seed = 12345;
    const random = () => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) ^ 0x9e3779b9) >>> 0) / 2 ** 32;
    const scanner = new WordScanner();
    for (let trial = 0; trial < 2000; trial++) {
      const text = Array.from({ length: Math.floor(random() * 30) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const scanned: string[] = [];
      for (scanner.reset(text); scanner.next(); ) scanned.push(text.slice(scanner.start, scanner.end));
      expect(scanned, `seed trial ${trial}: ${JSON.stringify(text)}`).toEqual(text.match(TOKEN_PATTERN) ?? []);
    }
  });
});
