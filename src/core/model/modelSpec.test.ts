import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyBertFolder, TINY_BERT_VOCAB } from '../../../tests/fixtures/tinyBertFolder.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { readModelFolder } from './modelFolder.ts';
import { ModelFolderError } from './modelSource.ts';
import { DEFAULT_MAX_SEQ_LENGTH, readModelSpec } from './modelSpec.ts';

let base: Map<string, Uint8Array>;
beforeAll(() => {
  base = makeTinyBertFolder().files;
});

const text = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

/** The fixture folder with some files replaced (a value) or removed (`null`). */
function folder(changes: Record<string, unknown | null> = {}) {
  const files = new Map(base);
  for (const [file, value] of Object.entries(changes)) {
    if (value === null) files.delete(file);
    else files.set(file, value instanceof Uint8Array ? value : text(value));
  }
  return memorySource('fixture', files);
}

async function folderError(changes: Record<string, unknown | null>): Promise<ModelFolderError> {
  const error = await readModelFolder(folder(changes)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFolderError);
  return error as ModelFolderError;
}

describe('readModelSpec', () => {
  it('reads the sentence-transformers pipeline of a complete folder', async () => {
    const spec = await readModelSpec(folder());
    expect(spec).toMatchObject({ pooling: ['mean'], normalize: true, maxSeqLength: 48, hiddenSize: 32, modelType: 'bert' });
    expect(spec.notes).toEqual([]);
  });

  it('reads the sentence-transformers ≥ 5 pooling shape', async () => {
    const spec = await readModelSpec(folder({ '1_Pooling/config.json': { embedding_dimension: 32, pooling_mode: 'cls' } }));
    expect(spec.pooling).toEqual(['cls']);
  });

  it('falls back to mean + normalise + 256 tokens and says so', async () => {
    const spec = await readModelSpec(
      folder({ 'modules.json': null, '1_Pooling/config.json': null, 'sentence_bert_config.json': null, 'config.json': null }),
    );
    expect(spec).toMatchObject({ pooling: ['mean'], normalize: true, maxSeqLength: DEFAULT_MAX_SEQ_LENGTH });
    expect(spec.notes.join(' ')).toMatch(/mean pooling/);
    expect(spec.notes.join(' ')).toMatch(/256 tokens/);
    expect(spec.notes.join(' ')).toMatch(/config\.json is missing/);
  });

  it('does not normalise when modules.json has no Normalize module', async () => {
    const modules = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ];
    const spec = await readModelSpec(folder({ 'modules.json': modules }));
    expect(spec.normalize).toBe(false);
    expect(spec.notes.join(' ')).toMatch(/not L2-normalised/);
  });

  it('clamps max_seq_length to the position table and says so', async () => {
    const spec = await readModelSpec(folder({ 'sentence_bert_config.json': { max_seq_length: 512 } }));
    expect(spec.maxSeqLength).toBe(64);
    expect(spec.notes.join(' ')).toMatch(/exceeds max_position_embeddings 64/);
  });
});

describe('readModelFolder errors name the file and the problem', () => {
  it.each([
    [{ 'tokenizer.json': null }, 'tokenizer.json', /not found/],
    [{ 'tokenizer.json': '{"model": ' }, 'tokenizer.json', /not valid JSON/],
    [{ 'tokenizer.json': { version: '1.0' } }, 'tokenizer.json', /no "model" section/],
    [{ 'config.json': '[1, 2]' }, 'config.json', /must hold a JSON object/],
    [{ 'config.json': { hidden_size: 'big' } }, 'config.json', /hidden_size must be a positive integer/],
    [{ 'config.json': { hidden_size: 32, vocab_size: 10 } }, 'tokenizer.json', new RegExp(`has ${TINY_BERT_VOCAB.length} tokens but config.json vocab_size is 10`)],
    [{ 'modules.json': { modules: [] } }, 'modules.json', /JSON array/],
    [{ '1_Pooling/config.json': { pooling_mode: 'median' } }, '1_Pooling/config.json', /"median" is not one of/],
    [{ '1_Pooling/config.json': { word_embedding_dimension: 32 } }, '1_Pooling/config.json', /enables no pooling mode/],
    [{ '1_Pooling/config.json': { embedding_dimension: 384, pooling_mode: 'mean' } }, '1_Pooling/config.json', /size 384 but config.json says hidden_size 32/],
    [{ 'sentence_bert_config.json': { max_seq_length: -3 } }, 'sentence_bert_config.json', /max_seq_length must be a positive integer/],
    [{ 'sentence_bert_config.json': { max_seq_length: 2 } }, 'sentence_bert_config.json', /leaves no room for text/],
    [{ 'onnx/model.onnx': null }, 'onnx/model.onnx', /not found/],
    [{ 'onnx/model.onnx': new Uint8Array(4) }, 'onnx/model.onnx', /not an ONNX model/],
  ])('%o → %s', async (changes, file, problem) => {
    const error = await folderError(changes);
    expect(error.file).toBe(file);
    expect(error.message).toMatch(problem);
    expect(error.message.startsWith(`fixture: ${file}: `)).toBe(true);
  });

  it('names the missing export variant', async () => {
    const error = await readModelFolder(folder(), 'fp16').then(() => null, (e: unknown) => e as ModelFolderError);
    expect(error?.message).toBe('fixture: onnx/model_fp16.onnx: not found: this folder has no fp16 export');
  });

  it('accepts model.onnx at the top of the folder', async () => {
    const onnx = base.get('onnx/model.onnx')!;
    const loaded = await readModelFolder(folder({ 'onnx/model.onnx': null, 'model.onnx': onnx }));
    expect(loaded.spec.onnxFile).toBe('model.onnx');
  });
});
