import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { fileModelSource } from '../../cli/fileModelSource.ts';
import { mulberry32 } from '../metrics/random.ts';
import { FIXTURE_MODEL, SHARED_MODELS } from '../../../tests/paths.ts';
import { readModelSpec } from './modelSpec.ts';
import { prefixCutRule } from './prefixCuts.ts';
import { TextTokenizer, UncuttableTextError } from './textTokenizer.ts';

/** Every real tokenizer here: the lab's models, the st-zoo (WordPiece, byte-level BPE, Metaspace/Unigram) and the fixture. */
const FOLDERS = [
  ...['lab-minilm-l6-base'].map((name) => path.join(SHARED_MODELS, name)),
  ...(existsSync(path.join(SHARED_MODELS, 'st-zoo'))
    ? readdirSync(path.join(SHARED_MODELS, 'st-zoo'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => path.join(SHARED_MODELS, 'st-zoo', entry.name))
    : []),
  FIXTURE_MODEL,
].filter((folder) => existsSync(path.join(folder, 'tokenizer.json')));

/** The truncation the cut must reproduce: the whole text tokenized, then cut to the room left by the specials. */
function wholeThenTruncated(raw: Tokenizer, tokenizer: TextTokenizer, text: string): number[] {
  const room = tokenizer.maxSeqLength - tokenizer.prefixIds.length - tokenizer.suffixIds.length;
  return [...tokenizer.prefixIds, ...raw.encode(text, { add_special_tokens: false }).ids.slice(0, room), ...tokenizer.suffixIds];
}

/** Pieces a hostile or merely foreign text is made of: each shape the cut rules reason about. */
const PIECES: ((random: () => number) => string)[] = [
  () => ' ',
  () => '  ',
  () => '\t',
  () => '\n',
  () => '\u00a0',
  () => '\u3000',
  () => '\u200b',
  () => '\u2581',
  () => '\ufffd',
  () => '\u0001',
  (r) => 'word'.slice(0, 1 + Math.floor(r() * 4)),
  (r) => 'Hello WORLD the of a in'.split(' ')[Math.floor(r() * 6)],
  (r) => 'x'.repeat(90 + Math.floor(r() * 30)), // around max_input_chars_per_word
  (r) => 'abcdefghij'.repeat(1 + Math.floor(r() * 30)),
  () => 'naïve café',
  () => 'e\u0301', // a combining acute after its letter
  () => '\u0301', // a combining mark alone (after a space it strips to nothing)
  () => 'क्षि', // Devanagari with a virama and a vowel sign
  () => '東京大学',
  () => '日本語のテキスト',
  () => '𠀀𠀁', // CJK outside the BMP (surrogate pairs)
  () => '🙂👍🏽',
  () => 'ΟΔΟΣ', // a final sigma when lower-cased
  () => 'Σ.Α',
  () => "don't",
  () => '.',
  () => ',',
  () => '…',
  () => '12345',
  () => '½²',
  () => '\u00b4', // NFKC: a space and a combining acute
  () => 'ﬁ',
  () => '[MASK]',
  () => '<mask>',
  () => '</s>',
  () => '[SEP',
];

function randomText(random: () => number, length: number, shape: 'mixed' | 'no spaces' | 'long words'): string {
  let text = '';
  while (text.length < length) {
    const piece = PIECES[Math.floor(random() * PIECES.length)](random);
    if (shape === 'no spaces' && /\s/u.test(piece)) continue;
    text += piece;
    if (shape === 'long words' && random() < 0.1) text += ' ';
  }
  return text;
}

describe('a prefix cut where the rules allow it gives the tokens of the whole text, truncated', () => {
  it('every real tokenizer family has cuts (so long texts are never tokenized whole)', () => {
    expect(FOLDERS.length).toBeGreaterThan(3);
    for (const folder of FOLDERS) {
      const json = JSON.parse(readFileSync(path.join(folder, 'tokenizer.json'), 'utf8'));
      expect(prefixCutRule(json), folder).not.toBeNull();
    }
  });

  for (const folder of FOLDERS) {
    it(`${path.basename(folder)}: at every cut the rule allows in random texts, the part before it tokenizes as the start of the whole`, { timeout: 120_000 }, async () => {
      const spec = await readModelSpec(fileModelSource(folder));
      const raw = new Tokenizer(spec.tokenizerJson, spec.tokenizerConfig);
      const isCut = prefixCutRule(spec.tokenizerJson, spec.tokenizerConfig)!;
      const ids = (text: string) => raw.encode(text, { add_special_tokens: false }).ids;
      const seed = Math.floor(Math.random() * 2 ** 31);
      const random = mulberry32(seed);
      let cuts = 0;
      for (const shape of ['mixed', 'no spaces', 'long words'] as const) {
        for (let i = 0; i < 60; i++) {
          const text = randomText(random, 40 + random() * 260, shape);
          const whole = ids(text);
          const allowed = Array.from({ length: text.length }, (_, at) => at).filter((at) => isCut(text, at));
          for (const at of allowed.filter(() => random() < 0.5)) {
            const before = ids(text.slice(0, at));
            expect(whole.slice(0, before.length), `seed ${seed}: cut at ${at} of ${JSON.stringify(text)}`).toEqual(before);
            cuts++;
          }
        }
      }
      expect(cuts).toBeGreaterThan(40);
    });

    it(`${path.basename(folder)}: encode (prefixes doubling) equals the whole text tokenized and truncated`, { timeout: 120_000 }, async () => {
      const spec = await readModelSpec(fileModelSource(folder));
      const raw = new Tokenizer(spec.tokenizerJson, spec.tokenizerConfig);
      const seed = Math.floor(Math.random() * 2 ** 31);
      const random = mulberry32(seed);
      for (const maxSeqLength of [6, 40]) {
        const tokenizer = TextTokenizer.fromSpec({ ...spec, maxSeqLength });
        for (const shape of ['mixed', 'no spaces', 'long words'] as const) {
          for (let i = 0; i < 4; i++) {
            const text = randomText(random, tokenizer.firstReadChars * (1 + random() * 6), shape);
            expect(tokenizer.encode(text), `seed ${seed}, ${shape}, max_seq_length ${maxSeqLength}, text ${JSON.stringify(text.slice(0, 200))}…`).toEqual(wholeThenTruncated(raw, tokenizer, text));
          }
        }
      }
    });
  }
});

describe('a long text is read only as far as truncation needs', () => {
  it.each(FOLDERS.map((folder) => [path.basename(folder), folder]))('%s: 20 MB of words in well under a second', async (_name, folder) => {
    const tokenizer = TextTokenizer.fromSpec(await readModelSpec(fileModelSource(folder)));
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(20 * 2 ** 20 / 44);
    const started = performance.now();
    const ids = tokenizer.encode(text);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(ids.length).toBe(tokenizer.maxSeqLength);
    expect(ids).toEqual(tokenizer.encode(text.slice(0, tokenizer.firstReadChars)));
  });

  it('a long text with no place to cut is refused with the limit, never echoed', async () => {
    const folder = path.join(SHARED_MODELS, 'st-zoo', 'xlm-roberta-weightedmean');
    if (!existsSync(folder)) return;
    const tokenizer = TextTokenizer.fromSpec(await readModelSpec(fileModelSource(folder)));
    const text = 'x'.repeat(tokenizer.maxReadChars + 1);
    expect(() => tokenizer.encode(text)).toThrow(UncuttableTextError);
    expect(() => tokenizer.encode(text)).toThrow(
      `text "xxxxxxxxxxxxxxxxxxxxxxxx…": is ${text.length} characters long and its first ${tokenizer.maxReadChars} characters give fewer than the ${tokenizer.maxSeqLength - 2} tokens kept, or hold no space between words to cut at: a text longer than ${tokenizer.maxReadChars} characters is read only as far as its tokens need, and no further (the limit)`,
    );
    // Up to the limit it is still read whole, as before.
    expect(tokenizer.encode(text.slice(0, tokenizer.maxReadChars)).length).toBe(tokenizer.maxSeqLength);
  });

  it('BERT cuts text without spaces before punctuation and CJK ideographs', async () => {
    const tokenizer = TextTokenizer.fromSpec(await readModelSpec(fileModelSource(FOLDERS[0])));
    for (const text of ['東京'.repeat(3_000_000), 'a,'.repeat(3_000_000)]) {
      const spec = await readModelSpec(fileModelSource(FOLDERS[0]));
      const raw = new Tokenizer(spec.tokenizerJson, spec.tokenizerConfig);
      const started = performance.now();
      const ids = tokenizer.encode(text);
      expect(performance.now() - started).toBeLessThan(1500);
      expect(ids).toEqual(wholeThenTruncated(raw, tokenizer, text.slice(0, 100_000)));
    }
  });
});
