import { describe, expect, it } from 'vitest';
import { makeTinyBertFolder, TINY_BERT_MAX_SEQ_LENGTH, TINY_BERT_VOCAB } from '../../../tests/fixtures/tinyBertFolder.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { readModelSpec } from './modelSpec.ts';
import { TextTokenizer } from './textTokenizer.ts';

const tokenizer = TextTokenizer.fromSpec(await readModelSpec(memorySource('fixture', makeTinyBertFolder().files)));
const tokens = (text: string) => tokenizer.encode(text).map((id) => TINY_BERT_VOCAB[id]);

describe('TextTokenizer (fixture WordPiece vocabulary)', () => {
  it('lower-cases, splits punctuation and wraps in [CLS] … [SEP]', () => {
    expect(tokens('  Hello,   WORLD!!  ')).toEqual(['[CLS]', 'hello', ',', 'world', '!', '!', '[SEP]']);
  });
  it('splits unknown words into word pieces', () => {
    expect(tokens('unaffable')).toEqual(['[CLS]', 'un', '##aff', '##able', '[SEP]']);
  });
  it('strips accents the way BertNormalizer does with lowercase on', () => {
    expect(tokens('Café naïve')).toEqual(['[CLS]', 'cafe', 'naive', '[SEP]']);
  });
  it('maps characters outside the vocabulary to [UNK], one per CJK character', () => {
    expect(tokens('日本')).toEqual(['[CLS]', '[UNK]', '[UNK]', '[SEP]']);
  });
  it('encodes the empty string as the specials alone', () => {
    expect(tokens('')).toEqual(['[CLS]', '[SEP]']);
  });
  it('truncates to max_seq_length keeping the final [SEP], ignoring tokenizer.json’s stale truncation', () => {
    const ids = tokenizer.encode('the '.repeat(100));
    expect(ids.length).toBe(TINY_BERT_MAX_SEQ_LENGTH);
    expect(TINY_BERT_VOCAB[ids[0]]).toBe('[CLS]');
    expect(TINY_BERT_VOCAB[ids[ids.length - 1]]).toBe('[SEP]');
    expect(ids.slice(1, -1).every((id) => TINY_BERT_VOCAB[id] === 'the')).toBe(true);
  });
});
