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

describe('TextTokenizer with a prompt (sentence-transformers prepends it to the text)', () => {
  it('tokenizes prompt + text as one string, inside the specials', () => {
    expect(tokenizer.encode('hello world', 'query: ').map((id) => TINY_BERT_VOCAB[id])).toEqual(['[CLS]', 'query', ':', 'hello', 'world', '[SEP]']);
    // No space between them: one word, as `"hello" + "world"` is for sentence-transformers.
    expect(tokenizer.encode('world', 'hello').map((id) => TINY_BERT_VOCAB[id])).toEqual(['[CLS]', 'hello', '##w', '##o', '##r', '##l', '##d', '[SEP]']);
  });
  it('counts the prompt towards max_seq_length', () => {
    const ids = tokenizer.encode('the '.repeat(100), 'query: ');
    expect(ids.length).toBe(TINY_BERT_MAX_SEQ_LENGTH);
    expect(ids.slice(1, 3).map((id) => TINY_BERT_VOCAB[id])).toEqual(['query', ':']);
    expect(TINY_BERT_VOCAB[ids[ids.length - 1]]).toBe('[SEP]');
  });
  it('measures the prompt as ST does: alone, with [CLS], without the trailing [SEP]', () => {
    expect(tokenizer.promptLength('query: ')).toBe(3);
    expect(tokenizer.promptLength('')).toBe(0);
    expect(tokenizer.promptLength('   ')).toBe(1);
  });
});

describe('do_lower_case in sentence_bert_config.json', () => {
  const withCase = async (doLowerCase: boolean) => {
    const files = makeTinyBertFolder().files;
    const json = JSON.parse(new TextDecoder().decode(files.get('tokenizer.json')));
    json.normalizer = { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: false };
    files.set('tokenizer.json', new TextEncoder().encode(JSON.stringify(json)));
    files.set('sentence_bert_config.json', new TextEncoder().encode(JSON.stringify({ max_seq_length: 48, do_lower_case: doLowerCase })));
    return TextTokenizer.fromSpec(await readModelSpec(memorySource('fixture', files)));
  };
  it('puts a Lowercase normalizer first, as ST does', async () => {
    expect((await withCase(true)).encode('Hello WORLD').map((id) => TINY_BERT_VOCAB[id])).toEqual(['[CLS]', 'hello', 'world', '[SEP]']);
    expect((await withCase(false)).encode('Hello WORLD').map((id) => TINY_BERT_VOCAB[id])).toEqual(['[CLS]', '[UNK]', '[UNK]', '[SEP]']);
  });
});
