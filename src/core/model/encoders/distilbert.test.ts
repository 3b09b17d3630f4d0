import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelBytes } from '../../onnx/graphBuilder.ts';
import type { BatchPlan } from '../batching.ts';
import type { WeightTensor } from '../weights.ts';
import { mapWeights } from '../../../../tests/fixtures/mapWeights.ts';
import { mulberry32 } from '../../../../tests/fixtures/random.ts';
import { HAS_ST_ZOO, zooFolder, zooReference } from '../../../../tests/fixtures/stZoo.ts';
import {
  encoderSession,
  folderPooling,
  folderWeights,
  maxAbsDelta,
  onePaddedBatch,
  oneTextPerBatch,
  pooledBatch,
  readJsonFile,
} from '../../../../tests/fixtures/zooEncoder.ts';
import { needs } from '../../../../tests/paths.ts';
import { buildDistilBert, distilBertTensorNames } from './distilbert.ts';

const TOLERANCE = 1e-5;

describe.skipIf(!HAS_ST_ZOO)('buildDistilBert on the st-zoo checkpoint reproduces sentence-transformers encode', () => {
  const name = 'distilbert-mean-fp16';
  const folder = zooFolder(name);
  let session: ReturnType<typeof encoderSession> | undefined;

  /** Largest deviation from the reference `encode` (float32 arithmetic on the float16 weights) over `plans`. */
  async function worstDelta(plans: readonly BatchPlan[]): Promise<number> {
    const reference = zooReference(name);
    const config = readJsonFile(path.join(folder, 'config.json'));
    session ??= folderWeights(folder).then((weights) => encoderSession(modelBytes(buildDistilBert(config, weights, 'distilbert'))));
    const model = await session;
    expect(model.inputNames).toEqual(['input_ids', 'attention_mask']);
    let worst = 0;
    for (const plan of plans) {
      const { rows, dim } = await pooledBatch(model, reference.token_ids, plan, config.pad_token_id as number, folderPooling(folder));
      worst = Math.max(worst, maxAbsDelta(rows, dim, reference.encode, plan.indices));
    }
    return worst;
  }

  it(needs(folder, `${name}: all probes in one padded batch reproduce encode within 1e-5`), async () => {
    const { token_ids: tokenIds, max_seq_length: maxSeqLength } = zooReference(name);
    const plan = onePaddedBatch(tokenIds);
    expect(plan.seqLen).toBe(maxSeqLength);
    expect(await worstDelta([plan])).toBeLessThan(TOLERANCE);
  });

  it(needs(folder, `${name}: one text per batch reproduces encode within 1e-5`), async () => {
    expect(await worstDelta(oneTextPerBatch(zooReference(name).token_ids))).toBeLessThan(TOLERANCE);
  });
});

/** A tiny DistilBertModel's config and random tensors: dim 8, 2 heads, 2 layers, hidden_dim 16, vocab 20. */
function tinyDistilBert(seed = 5): { config: Record<string, unknown>; tensors: Record<string, WeightTensor> } {
  const config: Record<string, unknown> = {
    model_type: 'distilbert',
    dim: 8,
    n_heads: 2,
    n_layers: 2,
    hidden_dim: 16,
    vocab_size: 20,
    max_position_embeddings: 40,
    activation: 'gelu',
    pad_token_id: 0,
  };
  const random = mulberry32(seed);
  const tensors: Record<string, WeightTensor> = {};
  for (const name of distilBertTensorNames(2)) {
    const dims = tinyDims(name);
    tensors[name] = { dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) };
  }
  return { config, tensors };
}

function tinyDims(name: string): number[] {
  if (name === 'embeddings.word_embeddings.weight') return [20, 8];
  if (name === 'embeddings.position_embeddings.weight') return [40, 8];
  const isWeight = name.endsWith('.weight');
  if (name.includes('ffn.lin1')) return isWeight ? [16, 8] : [16];
  if (name.includes('ffn.lin2')) return isWeight ? [8, 16] : [8];
  return isWeight && name.includes('_lin') ? [8, 8] : [8];
}

describe('buildDistilBert errors', () => {
  const build = (config: Record<string, unknown>, tensors: Record<string, WeightTensor>) => () => modelBytes(buildDistilBert(config, mapWeights(tensors), 'distilbert'));

  it('builds the tiny model, which has no token type table (the fixture is complete)', async () => {
    const { config, tensors } = tinyDistilBert();
    const model = await encoderSession(build(config, tensors)());
    expect(model.inputNames).toEqual(['input_ids', 'attention_mask']);
  });

  it('names a missing tensor, and the first five of a BERT checkpoint given as DistilBERT', () => {
    const { config, tensors } = tinyDistilBert();
    delete tensors['transformer.layer.1.sa_layer_norm.weight'];
    expect(build(config, tensors)).toThrow('test-model: model.safetensors: lacks 1 tensor a distilbert model needs (transformer.layer.1.sa_layer_norm.weight)');
    const bertLike: Record<string, WeightTensor> = { 'embeddings.word_embeddings.weight': tensors['embeddings.word_embeddings.weight'] };
    expect(build(config, bertLike)).toThrow(/lacks 35 tensors a distilbert model needs \(embeddings\.position_embeddings\.weight, .*, …\)/);
  });

  it('refuses a tensor whose shape config.json contradicts', () => {
    const { config, tensors } = tinyDistilBert();
    tensors['transformer.layer.0.ffn.lin1.weight'] = { dims: [8, 16], data: new Float32Array(128) };
    expect(build(config, tensors)).toThrow('tensor transformer.layer.0.ffn.lin1.weight has shape [8, 16] but config.json implies [16, 8]');
  });

  it('refuses a dim the heads do not divide, naming DistilBERT’s keys', () => {
    const { config, tensors } = tinyDistilBert();
    expect(build({ ...config, n_heads: 3 }, tensors)).toThrow('config.json: dim / n_heads: 8 is not divisible by 3 heads');
  });

  it('refuses an activation it does not build', () => {
    const { config, tensors } = tinyDistilBert();
    expect(build({ ...config, activation: 'mish' }, tensors)).toThrow(/activation "mish" is not one the lab builds/);
  });
});
