import { describe, expect, it } from 'vitest';
import { makeTinyBertFolder, TINY_BERT_VOCAB } from '../../../tests/fixtures/tinyBertFolder.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { readModelFolder } from './modelFolder.ts';
import { ModelFolderError } from './modelSource.ts';
import { DEFAULT_MAX_SEQ_LENGTH, readModelSpec } from './modelSpec.ts';
import { writeSafetensors, type FixtureTensor } from '../../../tests/fixtures/safetensorsFile.ts';

// At load, not in beforeAll: the it.each tables below derive files from it.
const base: Map<string, Uint8Array> = makeTinyBertFolder().files;

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
    expect(spec.modules).toEqual([
      { kind: 'pooling', path: '1_Pooling', modes: ['mean'], includePrompt: true, embeddingDimension: 32 },
      { kind: 'normalize', path: '2_Normalize' },
    ]);
    expect(spec).toMatchObject({ includePrompt: true, similarity: 'cosine', prompts: { query: '', document: '' }, defaultPromptName: null, truncateDim: null });
    expect(spec.maxSeqLengthSource).toBe("sentence_bert_config.json's max_seq_length");
    expect(spec.notes).toEqual(["max_seq_length 48: sentence_bert_config.json's max_seq_length."]);
  });

  it('reads the sentence-transformers ≥ 5 pooling shape', async () => {
    const spec = await readModelSpec(folder({ '1_Pooling/config.json': { embedding_dimension: 32, pooling_mode: 'cls' } }));
    expect(spec.pooling).toEqual(['cls']);
  });

  it('falls back to mean + normalise + 256 tokens and says so', async () => {
    const spec = await readModelSpec(
      folder({ 'modules.json': null, '1_Pooling/config.json': null, 'sentence_bert_config.json': null, 'config.json': null, 'tokenizer_config.json': { pad_token: '[PAD]' } }),
    );
    expect(spec).toMatchObject({ pooling: ['mean'], normalize: true, maxSeqLength: DEFAULT_MAX_SEQ_LENGTH });
    expect(spec.notes.join(' ')).toMatch(/mean pooling/);
    expect(spec.notes.join(' ')).toMatch(
      /max_seq_length 256: the lab's default, as nothing bounds the length \(no model_max_length in tokenizer_config\.json, no max_position_embeddings in config\.json\)/,
    );
    expect(spec.notes.join(' ')).toMatch(/config\.json is missing/);
  });

  it('does not normalise when modules.json has no Normalize module', async () => {
    const modules = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ];
    const spec = await readModelSpec(folder({ 'modules.json': modules }));
    expect(spec.normalize).toBe(false);
    expect(spec.modules.map((m) => m.kind)).toEqual(['pooling']);
    expect(spec.notes.join(' ')).toMatch(/not L2-normalised/);
  });

  it('clamps max_seq_length to the position table and says so', async () => {
    const spec = await readModelSpec(folder({ 'sentence_bert_config.json': { max_seq_length: 512 } }));
    expect(spec.maxSeqLength).toBe(64);
    expect(spec.notes.join(' ')).toMatch(/max_seq_length 512 \(sentence_bert_config\.json's max_seq_length\) exceeds max_position_embeddings 64: using 64; sentence-transformers would fail on longer texts/);
  });
});

describe('max_seq_length as sentence-transformers 6 derives it', () => {
  const config = (changes: Record<string, unknown>) => ({ ...JSON.parse(new TextDecoder().decode(base.get('config.json'))), ...changes });
  const tokenizerConfig = (changes: Record<string, unknown>) => ({ ...JSON.parse(new TextDecoder().decode(base.get('tokenizer_config.json'))), ...changes });
  const newLayout = { transformer_task: 'feature-extraction', module_output_name: 'token_embeddings' };

  it.each([
    ['≥ 5.4 layout: tokenizer_config.json model_max_length', { 'sentence_bert_config.json': newLayout, 'tokenizer_config.json': tokenizerConfig({ model_max_length: 40 }) }, 40],
    ['bounded by max_position_embeddings', { 'sentence_bert_config.json': newLayout }, 64],
    ['the 1e30 "unknown" sentinel, bounded by max_position_embeddings', { 'sentence_bert_config.json': newLayout, 'tokenizer_config.json': tokenizerConfig({ model_max_length: 1000000000000000019884624838656 }) }, 64],
    ['max_seq_length: null falls back to the tokenizer', { 'sentence_bert_config.json': { max_seq_length: null }, 'tokenizer_config.json': tokenizerConfig({ model_max_length: 30 }) }, 30],
    ['processor_kwargs.model_max_length wins over max_seq_length', { 'sentence_bert_config.json': { max_seq_length: 48, processor_kwargs: { model_max_length: 20 } } }, 20],
    ['legacy tokenizer_args.model_max_length', { 'sentence_bert_config.json': { tokenizer_args: { model_max_length: 24 } } }, 24],
    ['a legacy module config name', { 'sentence_bert_config.json': null, 'sentence_roberta_config.json': { max_seq_length: 33 } }, 33],
    ['RoBERTa-style positions start at padding_idx + 1', { 'sentence_bert_config.json': newLayout, 'config.json': config({ model_type: 'roberta', pad_token_id: 1 }) }, 62],
    ['MPNet hard-codes padding_idx 1', { 'sentence_bert_config.json': newLayout, 'config.json': config({ model_type: 'mpnet', pad_token_id: 0 }) }, 62],
  ])('%s', async (_, changes, expected) => {
    const spec = await readModelSpec(folder(changes));
    expect(spec.maxSeqLength).toBe(expected);
  });

  it('says where the value came from', async () => {
    const spec = await readModelSpec(folder({ 'sentence_bert_config.json': newLayout }));
    expect(spec.notes).toContain("max_seq_length 64: config.json's max_position_embeddings (tokenizer_config.json's model_max_length says 512).");
    const roberta = await readModelSpec(folder({ 'sentence_bert_config.json': newLayout, 'config.json': config({ model_type: 'xlm-roberta', pad_token_id: 1 }) }));
    expect(roberta.notes.join(' ')).toMatch(/exceeds max_position_embeddings 64 less the 2 positions its family skips: using 62/);
  });
});

describe('config_sentence_transformers.json', () => {
  it('reads prompts, default_prompt_name, similarity_fn_name and truncate_dim', async () => {
    const spec = await readModelSpec(
      folder({ 'config_sentence_transformers.json': { prompts: { query: 'q: ', passage: 'p: ' }, default_prompt_name: 'passage', similarity_fn_name: 'dot', truncate_dim: 16 } }),
    );
    expect(spec).toMatchObject({ prompts: { query: 'q: ', document: '', passage: 'p: ' }, defaultPromptName: 'passage', similarity: 'dot', truncateDim: 16 });
  });

  it.each(['euclidean', 'manhattan', 'cosine'])('similarity %s', async (similarity) => {
    expect((await readModelSpec(folder({ 'config_sentence_transformers.json': { similarity_fn_name: similarity } }))).similarity).toBe(similarity);
  });

  it('ignores a similarity a SentenceTransformer does not score with, as ST does, and says so', async () => {
    const spec = await readModelSpec(folder({ 'config_sentence_transformers.json': { similarity_fn_name: 'maxsim' } }));
    expect(spec.similarity).toBe('cosine');
    expect(spec.notes.join(' ')).toMatch(/similarity_fn_name "maxsim" is not one a SentenceTransformer scores with/);
  });

  it('refuses a default_prompt_name that names no prompt', async () => {
    const error = await folderError({ 'config_sentence_transformers.json': { prompts: { query: 'q: ' }, default_prompt_name: 'passage' } });
    expect(error.message).toMatch(/config_sentence_transformers\.json: default_prompt_name "passage" is not one of its prompts \(query, document\)/);
  });
});

const DENSE_MODULES = [
  { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
  { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  { idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' },
  { idx: 3, name: '3', path: '3_Normalize', type: 'sentence_transformers.base.modules.normalize.Normalize' },
];
const f32 = (shape: number[], fill = 0.5): FixtureTensor => ({ dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
const DENSE_CONFIG = { in_features: 32, out_features: 16, bias: true, activation_function: 'torch.nn.modules.activation.Tanh' };

/** The fixture with a 2_Dense (32 → 16) between Pooling and Normalize. */
function denseChanges(config: Record<string, unknown> | null = DENSE_CONFIG, tensors: Record<string, FixtureTensor> | null = { 'linear.weight': f32([16, 32]), 'linear.bias': f32([16]) }) {
  return { 'modules.json': DENSE_MODULES, '2_Dense/config.json': config, '2_Dense/model.safetensors': tensors && writeSafetensors(tensors) };
}

describe('modules.json in order', () => {
  it('reads Pooling → Dense → Normalize with the Dense weights', async () => {
    const spec = await readModelSpec(folder(denseChanges()));
    expect(spec.modules.map((m) => m.kind)).toEqual(['pooling', 'dense', 'normalize']);
    const dense = spec.modules[1];
    expect(dense).toMatchObject({ kind: 'dense', path: '2_Dense', inFeatures: 32, outFeatures: 16, activation: 'Tanh', residual: null });
    if (dense.kind !== 'dense') throw new Error('not dense');
    expect(Array.from(dense.weight.subarray(0, 3))).toEqual([0.5, 0.5, 0.5]);
    expect(dense.weight.length).toBe(16 * 32);
    expect(dense.bias?.length).toBe(16);
    expect(spec.normalize).toBe(true);
  });

  it.each([
    ['no key: Tanh, the Dense default', undefined, 'Tanh'],
    ['Identity (torch.nn.modules.linear)', 'torch.nn.modules.linear.Identity', 'Identity'],
    ['GELU', 'torch.nn.modules.activation.GELU', 'GELU'],
    ['a short torch path', 'torch.nn.ReLU', 'ReLU'],
    ['an untrusted path falls back to Tanh, as without trust_remote_code', 'my_package.Swish', 'Tanh'],
  ])('activation: %s', async (_, activation, expected) => {
    const spec = await readModelSpec(folder(denseChanges({ ...DENSE_CONFIG, activation_function: activation })));
    expect(spec.modules[1]).toMatchObject({ activation: expected });
  });

  it('reads bias: false and use_residual', async () => {
    const spec = await readModelSpec(folder(denseChanges({ ...DENSE_CONFIG, bias: false, use_residual: true }, { 'linear.weight': f32([16, 32]), 'residual.weight': f32([16, 32], 0.25) })));
    const dense = spec.modules[1];
    if (dense.kind !== 'dense') throw new Error('not dense');
    expect(dense.bias).toBeNull();
    expect(dense.residual).toBeInstanceOf(Float32Array);
  });

  it('reads include_prompt and a list of pooling modes', async () => {
    const spec = await readModelSpec(folder({ '1_Pooling/config.json': { embedding_dimension: 32, pooling_mode: ['cls', 'mean'], include_prompt: false } }));
    expect(spec).toMatchObject({ pooling: ['cls', 'mean'], includePrompt: false });
  });

  it('pools by the mean when the pooling config names no mode, as ST does', async () => {
    const spec = await readModelSpec(folder({ '1_Pooling/config.json': { word_embedding_dimension: 32 } }));
    expect(spec.pooling).toEqual(['mean']);
    expect(spec.notes.join(' ')).toMatch(/names no pooling mode: using mean pooling/);
  });

  it('skips Dropout, which does nothing at inference', async () => {
    const modules = [...DENSE_MODULES.slice(0, 2), { idx: 2, name: '2', path: '2_Dropout', type: 'sentence_transformers.models.Dropout' }, { ...DENSE_MODULES[3], idx: 3 }];
    const spec = await readModelSpec(folder({ 'modules.json': modules }));
    expect(spec.modules.map((m) => m.kind)).toEqual(['pooling', 'normalize']);
  });
});

describe('modules the lab cannot run are refused by name', () => {
  it.each([
    ['LayerNorm', 'sentence_transformers.models.LayerNorm'],
    ['WordEmbeddings', 'sentence_transformers.models.WordEmbeddings'],
    ['Router', 'sentence_transformers.base.modules.router.Router'],
  ])('%s after Pooling', async (className, type) => {
    const modules = [...DENSE_MODULES.slice(0, 2), { idx: 2, name: '2', path: '2_X', type }];
    const error = await folderError({ 'modules.json': modules });
    expect(error.file).toBe('modules.json');
    expect(error.message).toContain(`module 2 is ${type} (${className}), which the lab does not run; it runs Transformer, then Pooling, any number of Dense, Normalize`);
  });

  it('StaticEmbedding in place of the Transformer', async () => {
    const error = await folderError({ 'modules.json': [{ idx: 0, name: '0', path: '0_StaticEmbedding', type: 'sentence_transformers.models.StaticEmbedding' }] });
    expect(error.message).toMatch(/module 0 is sentence_transformers\.models\.StaticEmbedding \(StaticEmbedding\), which the lab does not run/);
  });
});

describe('Dense errors name the file and the problem', () => {
  it.each([
    ['config missing', denseChanges(null), '2_Dense/config.json', /not found: a Dense module needs in_features and out_features/],
    ['in_features missing', denseChanges({ out_features: 16 }), '2_Dense/config.json', /in_features must be a positive integer, found undefined/],
    ['weights of the wrong shape', denseChanges(DENSE_CONFIG, { 'linear.weight': f32([32, 16]), 'linear.bias': f32([16]) }), '2_Dense/model.safetensors', /tensor "linear\.weight" has shape \[32, 16\] but 2_Dense\/config\.json implies \[16, 32\]/],
    ['bias missing', denseChanges(DENSE_CONFIG, { 'linear.weight': f32([16, 32]) }), '2_Dense/model.safetensors', /has no tensor "linear\.bias" \(it has linear\.weight\)/],
    ['an unexpected tensor', denseChanges({ ...DENSE_CONFIG, bias: false }), '2_Dense/model.safetensors', /holds "linear\.bias", which 2_Dense\/config\.json does not call for/],
    ['no weights at all', denseChanges(DENSE_CONFIG, null), '2_Dense/model.safetensors', /not found \(nor pytorch_model\.bin\)/],
    ['an activation the lab does not compute', denseChanges({ ...DENSE_CONFIG, activation_function: 'torch.nn.modules.activation.PReLU' }), '2_Dense/config.json', /activation_function torch\.nn\.modules\.activation\.PReLU is not one the lab computes \(Identity, Tanh, ReLU/],
    ['a Dense over token embeddings', denseChanges({ ...DENSE_CONFIG, module_input_name: 'token_embeddings' }), '2_Dense/config.json', /module_input_name is "token_embeddings"; the lab runs Dense modules on the pooled "sentence_embedding" only/],
  ])('%s', async (_, changes, file, problem) => {
    const error = await folderError(changes);
    expect(error.file).toBe(file);
    expect(error.message).toMatch(problem);
  });

  it('a pickle-only Dense says it is a pickle and how to re-save it', async () => {
    const error = await folderError({ ...denseChanges(DENSE_CONFIG, null), '2_Dense/pytorch_model.bin': new Uint8Array([0x80, 0x02]) });
    expect(error.file).toBe('2_Dense/pytorch_model.bin');
    expect(error.message).toMatch(/is a PyTorch pickle, and the lab does not open pickles/);
    expect(error.message).toMatch(/SentenceTransformer\('fixture'\)\.save\('fixture', safe_serialization=True\)/);
  });

  it('a Dense before Pooling', async () => {
    const modules = [DENSE_MODULES[0], { ...DENSE_MODULES[2], idx: 1 }, { ...DENSE_MODULES[1], idx: 2 }];
    const error = await folderError({ ...denseChanges(), 'modules.json': modules });
    expect(error.message).toMatch(/module 1 \(sentence_transformers\.models\.Dense\) comes before Pooling/);
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
    [{ '1_Pooling/config.json': { pooling_mode: 'mean', include_prompt: 'no' } }, '1_Pooling/config.json', /include_prompt must be true or false/],
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
