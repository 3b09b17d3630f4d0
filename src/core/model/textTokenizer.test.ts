import { describe, expect, it } from 'vitest';
import { makeTinyBertFolder, TINY_BERT_MAX_SEQ_LENGTH, TINY_BERT_VOCAB } from '../../../tests/fixtures/tinyBertFolder.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { readModelSpec } from './modelSpec.ts';
import { ModelFolderError } from './modelSource.ts';
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

describe('a tokenizer.json whose shapes are wrong is a ModelFolderError naming the field', () => {
  /** The fixture's tokenizer.json changed by `edit`, loaded: the error's message. */
  async function problem(edit: (json: Record<string, any>) => void): Promise<string> {
    const files = new Map(makeTinyBertFolder().files);
    const json = JSON.parse(new TextDecoder().decode(files.get('tokenizer.json')!));
    edit(json);
    files.set('tokenizer.json', new TextEncoder().encode(JSON.stringify(json)));
    try {
      TextTokenizer.fromSpec(await readModelSpec(memorySource('fixture', files)));
      return 'loaded';
    } catch (error) {
      expect(error).toBeInstanceOf(ModelFolderError);
      return (error as Error).message;
    }
  }

  it.each([
    ['model.vocab a string', (j: Record<string, any>) => (j.model.vocab = 'abc'), 'model.vocab: is a string ("abc"): expected an object mapping each token to its id'],
    ['model.vocab a list for WordPiece', (j: Record<string, any>) => (j.model.vocab = ['[PAD]', '[UNK]']), 'model.vocab: is a list: expected an object mapping each token to its id'],
    ['a token id that is a string', (j: Record<string, any>) => (j.model.vocab.hello = '7'), 'model.vocab["hello"]: is a string ("7"): a token\'s id is an integer ≥ 0'],
    ['an unknown model type', (j: Record<string, any>) => (j.model.type = 'Foo'), 'model.type: is a string ("Foo"): expected one of WordPiece, BPE, Unigram, WordLevel'],
    ['an unk_token the vocabulary lacks', (j: Record<string, any>) => (j.model.unk_token = '<unk>'), 'model.unk_token: "<unk>" is not in model.vocab: every unknown word would map to no id'],
    ['added_tokens not a list', (j: Record<string, any>) => (j.added_tokens = { '[PAD]': 0 }), 'added_tokens: is an object: expected a list of tokens ({ id, content, special, … })'],
    ['an added token without an id', (j: Record<string, any>) => delete j.added_tokens[1].id, 'added_tokens[1].id: is missing: expected an integer ≥ 0'],
    ['a normalizer that is a number', (j: Record<string, any>) => (j.normalizer = 5), 'normalizer: is a number (5): expected null or an object with a type'],
    ['a pre-tokenizer without a type', (j: Record<string, any>) => delete j.pre_tokenizer.type, 'pre_tokenizer.type: is missing: expected the name of a pre-tokenizer'],
    ['a template that is a string', (j: Record<string, any>) => (j.post_processor.single = '[CLS] $A [SEP]'), 'post_processor.single: is a string ("[CLS] $A [SEP]"): expected a list of pieces ({ Sequence } or { SpecialToken })'],
    ['a BPE model without merges', (j: Record<string, any>) => (j.model.type = 'BPE'), 'model.merges: is missing: a BPE model\'s merges are a list ("a b" or ["a", "b"])'],
  ])('%s', async (_name, edit, message) => {
    expect(await problem(edit)).toBe(`fixture: tokenizer.json: ${message}`);
  });

  it('loads the fixture as it is', async () => {
    expect(await problem(() => undefined)).toBe('loaded');
  });
});
