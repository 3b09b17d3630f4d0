import { describe, expect, it } from 'vitest';
import { makeTinyBertFolder, TINY_BERT_VOCAB } from '../../../tests/fixtures/tinyBertFolder.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import type { BatchInputs } from './batching.ts';
import type { DenseModule } from './denseLayer.ts';
import { encodeTexts, type EncodeSpec, type PoolingSpec, type TokenEmbedder } from './encoder.ts';
import { readModelSpec } from './modelSpec.ts';
import { TextTokenizer } from './textTokenizer.ts';

const tokenizer = TextTokenizer.fromSpec(await readModelSpec(memorySource('fixture', makeTinyBertFolder().files)));

/** Pools each row into [tokens pooling keeps, tokens the model attends to, 1 if asked to normalise], and records the batches. */
function recordingEmbedder(): TokenEmbedder & { seen: { inputs: BatchInputs; pooling: PoolingSpec }[] } {
  const seen: { inputs: BatchInputs; pooling: PoolingSpec }[] = [];
  return {
    seen,
    async embed(inputs, pooling) {
      seen.push({ inputs, pooling });
      const vectors = new Float32Array(inputs.batch * 3);
      for (let row = 0; row < inputs.batch; row++) {
        for (let t = 0; t < inputs.seqLen; t++) {
          vectors[row * 3] += inputs.mask[row * inputs.seqLen + t];
          vectors[row * 3 + 1] += Number(inputs.attentionMask[row * inputs.seqLen + t]);
        }
        vectors[row * 3 + 2] = pooling.normalize ? 1 : 0;
      }
      return { vectors, dim: 3 };
    },
  };
}

/** [a, b, c] ↦ [a + b, c]: 3 → 2, no activation. */
const sumFirstTwo: DenseModule = {
  kind: 'dense', path: '2_Dense', inFeatures: 3, outFeatures: 2, activation: 'Identity',
  weight: Float32Array.from([1, 1, 0, 0, 0, 1]), bias: null, residual: null,
};

const base: EncodeSpec = {
  pooling: ['mean'],
  normalize: true,
  modules: [{ kind: 'pooling', path: '1_Pooling', modes: ['mean'], includePrompt: true, embeddingDimension: 3 }, { kind: 'normalize', path: '2_Normalize' }],
  includePrompt: true,
  prompts: { query: 'query: ', document: 'answer: ' },
  defaultPromptName: null,
  truncateDim: null,
};

describe('encodeTexts runs the saved pipeline', () => {
  it('prepends the prompt of the role; plain encode takes none without default_prompt_name', async () => {
    const embedder = recordingEmbedder();
    await encodeTexts(['hello world'], tokenizer, embedder, base, { role: 'query' });
    await encodeTexts(['hello world'], tokenizer, embedder, base, { role: 'document' });
    await encodeTexts(['hello world'], tokenizer, embedder, base);
    await encodeTexts(['hello world'], tokenizer, embedder, base, { role: 'query', prompt: 'search: ' });
    const tokens = embedder.seen.map(({ inputs }) => Array.from(inputs.inputIds, (id) => TINY_BERT_VOCAB[Number(id)]));
    expect(tokens).toEqual([
      ['[CLS]', 'query', ':', 'hello', 'world', '[SEP]'],
      ['[CLS]', 'answer', ':', 'hello', 'world', '[SEP]'],
      ['[CLS]', 'hello', 'world', '[SEP]'],
      ['[CLS]', 'search', ':', 'hello', 'world', '[SEP]'],
    ]);
    expect(embedder.seen.every(({ pooling }) => pooling.normalize)).toBe(true);
  });

  it('include_prompt: false leaves [CLS] + the prompt out of pooling, not out of attention', async () => {
    const embedder = recordingEmbedder();
    const { vectors } = await encodeTexts(['hello world', 'world'], tokenizer, embedder, { ...base, modules: base.modules!.slice(0, 1), normalize: false, includePrompt: false }, { role: 'query' });
    // 6 and 5 tokens; the prompt "query: " alone is [CLS] query : [SEP] → 3 left out.
    expect(Array.from(vectors)).toEqual([3, 6, 0, 2, 5, 0]);
  });

  it('pools without normalising when a Dense follows, then applies Dense and Normalize in order', async () => {
    const embedder = recordingEmbedder();
    const spec: EncodeSpec = { ...base, modules: [base.modules![0], sumFirstTwo, { kind: 'normalize', path: '3_Normalize' }] };
    const result = await encodeTexts(['hello world'], tokenizer, embedder, spec, { role: 'plain' });
    expect(embedder.seen[0].pooling.normalize).toBe(false);
    // [4, 4, 0] → [8, 0] → [1, 0]
    expect(result.dim).toBe(2);
    expect(Array.from(result.vectors)).toEqual([1, 0]);
  });

  it('CLS pooling with include_prompt: false pools the first text token (the mask\'s first kept position, as ST 6 takes it)', async () => {
    const spec: EncodeSpec = { ...base, pooling: ['cls'], includePrompt: false };
    const embedder = recordingEmbedder();
    await encodeTexts(['hello'], tokenizer, embedder, spec, { role: 'query' });
    // [CLS] query : hello [SEP]: the first three are left out of pooling, so CLS pooling takes "hello".
    expect(Array.from(embedder.seen[0].inputs.mask)).toEqual([0, 0, 0, 1, 1]);
  });

  it('a bare {pooling, normalize} still pools and normalises', async () => {
    const embedder = recordingEmbedder();
    const result = await encodeTexts(['hello'], tokenizer, embedder, { pooling: ['mean'], normalize: true });
    expect(result.dim).toBe(3);
    expect(embedder.seen[0].pooling).toEqual({ modes: ['mean'], normalize: true });
  });
});
