import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelBytes } from '../../onnx/graphBuilder.ts';
import { poolTokensCpu } from '../../kernels/pooling/pooling.cpu.ts';
import type { PoolingMode } from '../../kernels/pooling/poolingModes.ts';
import { buildBatchInputs, type BatchPlan } from '../batching.ts';
import type { ModelSource } from '../modelSource.ts';
import { readSafetensorsWeights } from '../safetensorsWeights.ts';
import type { WeightTensor } from '../weights.ts';
import { mapWeights } from '../../../../tests/fixtures/mapWeights.ts';
import { mulberry32 } from '../../../../tests/fixtures/random.ts';
import { HAS_ST_ZOO, zooFolder, zooReference } from '../../../../tests/fixtures/stZoo.ts';
import { needs } from '../../../../tests/paths.ts';
import { buildMpnet, mpnetTensorNames, relativePositionBucket, relativePositionBucketTable } from './mpnet.ts';

/** The bucket formula in float64, written from `relative_position_bucket` line by line. */
function bucketFloat64(relative: number, numBuckets: number, maxDistance: number): number {
  let n = -relative;
  const half = numBuckets / 2;
  let ret = n < 0 ? half : 0;
  n = Math.abs(n);
  const maxExact = half / 2;
  const large = maxExact + Math.trunc((Math.log(n / maxExact) / Math.log(maxDistance / maxExact)) * (half - maxExact));
  ret += n < maxExact ? n : Math.min(large, half - 1);
  return ret;
}

/**
 * First relative position (j − i) of each bucket as torch 2 + transformers 5.18 compute them (measured over
 * −20000…20000): 1…7 → 17…23, then 24 from 8, 25 from 12, …, 31 from 91; mirrored below 0 into 0…15.
 */
const TORCH_BUCKET_STARTS: ReadonlyArray<[number, number]> = [
  [8, 24], [12, 25], [16, 26], [23, 27], [32, 28], [46, 29], [64, 30], [91, 31],
];

describe('relativePositionBucket', () => {
  it('matches a float64 re-statement of the formula for relative positions −600…600', () => {
    const table = relativePositionBucketTable(600, 32, 128);
    for (let rel = -600; rel <= 600; rel++) expect([rel, table[rel + 600]]).toEqual([rel, bucketFloat64(rel, 32, 128)]);
  });

  it('puts each bucket boundary where torch puts it, in both directions', () => {
    for (let rel = 0; rel < 8; rel++) {
      expect(relativePositionBucket(-rel)).toBe(rel);
      expect(relativePositionBucket(rel)).toBe(rel === 0 ? 0 : 16 + rel);
    }
    for (const [start, bucket] of TORCH_BUCKET_STARTS) {
      expect([start, relativePositionBucket(start)]).toEqual([start, bucket]);
      expect([start - 1, relativePositionBucket(start - 1)]).toEqual([start - 1, bucket - 1]);
      expect([-start, relativePositionBucket(-start)]).toEqual([-start, bucket - 16]);
      expect([1 - start, relativePositionBucket(1 - start)]).toEqual([1 - start, bucket - 17]);
    }
  });

  it('no longer changes beyond ±max_distance, so the graph may clamp there', () => {
    for (let rel = 128; rel <= 5000; rel++) {
      expect(relativePositionBucket(rel)).toBe(31);
      expect(relativePositionBucket(-rel)).toBe(15);
    }
  });
});

describe.skipIf(!HAS_ST_ZOO)('buildMpnet on the st-zoo checkpoint', () => {
  const name = 'mpnet-mean';
  const folder = zooFolder(name);
  const reference = zooReference(name);
  const config = reference.config;
  const padId = config.pad_token_id as number;

  async function session(): Promise<ort.InferenceSession> {
    const source: ModelSource = { name, read: async (file) => readFileOrNull(path.join(folder, file)) };
    const weights = await readSafetensorsWeights(source);
    if (!weights) throw new Error(`${folder} has no safetensors`);
    return ort.InferenceSession.create(modelBytes(buildMpnet(config, weights, 'mpnet')), { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  }

  async function encode(model: ort.InferenceSession, plan: BatchPlan): Promise<Float32Array> {
    const inputs = buildBatchInputs(reference.token_ids, plan, padId);
    const dims = [inputs.batch, inputs.seqLen];
    const feeds = { input_ids: new ort.Tensor('int64', inputs.inputIds, dims), attention_mask: new ort.Tensor('int64', inputs.attentionMask, dims) };
    const { last_hidden_state: tokens } = await model.run(feeds);
    const hidden = tokens.dims[2];
    return poolTokensCpu({ tokens: tokens.data as Float32Array, mask: inputs.mask, batch: inputs.batch, seqLen: inputs.seqLen, hidden, modes: poolingModes(folder), normalize: hasNormalize(folder) });
  }

  function maxDelta(rows: Float32Array, indices: readonly number[]): number {
    const dim = reference.encode[0].length;
    let worst = 0;
    indices.forEach((text, row) => {
      for (let d = 0; d < dim; d++) worst = Math.max(worst, Math.abs(rows[row * dim + d] - reference.encode[text][d]));
    });
    return worst;
  }

  it(needs(folder, `${name}: all probes in one padded batch reproduce encode within 1e-5`), async () => {
    const model = await session();
    const indices = reference.token_ids.map((_, i) => i);
    const seqLen = Math.max(...reference.token_ids.map((ids) => ids.length));
    expect(seqLen).toBe(reference.max_seq_length);
    expect(maxDelta(await encode(model, { indices, seqLen }), indices)).toBeLessThan(1e-5);
  });

  it(needs(folder, `${name}: one text per batch reproduces encode within 1e-5`), async () => {
    const model = await session();
    let worst = 0;
    for (let text = 0; text < reference.token_ids.length; text++) {
      const plan = { indices: [text], seqLen: reference.token_ids[text].length };
      worst = Math.max(worst, maxDelta(await encode(model, plan), plan.indices));
    }
    expect(worst).toBeLessThan(1e-5);
  });
});

function readFileOrNull(file: string): Uint8Array | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

function poolingModes(folder: string): PoolingMode[] {
  const pooling = JSON.parse(readFileSync(path.join(folder, '1_Pooling/config.json'), 'utf8')) as { pooling_mode: PoolingMode };
  return [pooling.pooling_mode];
}

function hasNormalize(folder: string): boolean {
  const modules = JSON.parse(readFileSync(path.join(folder, 'modules.json'), 'utf8')) as { type: string }[];
  return modules.some((module) => module.type.endsWith('.Normalize'));
}

/** A tiny MPNetModel's config and random tensors. */
function tinyMpnet(seed = 7, overrides: Record<string, unknown> = {}) {
  const config: Record<string, unknown> = {
    model_type: 'mpnet',
    hidden_size: 8,
    num_attention_heads: 2,
    num_hidden_layers: 1,
    intermediate_size: 16,
    vocab_size: 20,
    max_position_embeddings: 40,
    relative_attention_num_buckets: 32,
    layer_norm_eps: 1e-5,
    hidden_act: 'gelu',
    pad_token_id: 1,
    ...overrides,
  };
  const random = mulberry32(seed);
  const dimsOf: Record<string, number[]> = {
    'embeddings.word_embeddings.weight': [20, 8],
    'embeddings.position_embeddings.weight': [config.max_position_embeddings as number, 8],
    'encoder.relative_attention_bias.weight': [32, 2],
  };
  const tensors: Record<string, WeightTensor> = {};
  for (const name of mpnetTensorNames(1)) {
    const dims = dimsOf[name] ?? tinyDims(name);
    tensors[name] = { dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) };
  }
  return { config, tensors };
}

function tinyDims(name: string): number[] {
  const isWeight = name.endsWith('.weight');
  if (name.includes('LayerNorm')) return [8];
  if (name.includes('intermediate.dense')) return isWeight ? [16, 8] : [16];
  if (name.includes('output.dense')) return isWeight ? [8, 16] : [8];
  return isWeight ? [8, 8] : [8];
}

/** MPNetModel's forward pass in float64 for one row (`mask` 1 = token), written from modeling_mpnet.py. */
function mpnetFloat64(config: Record<string, unknown>, tensors: Record<string, WeightTensor>, ids: readonly number[], mask: readonly number[]): number[][] {
  const hidden = config.hidden_size as number;
  const heads = config.num_attention_heads as number;
  const headDim = hidden / heads;
  const eps = config.layer_norm_eps as number;
  const t = (name: string) => tensors[name].data;
  const linear = (x: number[][], name: string, outDim: number) =>
    x.map((row) => Array.from({ length: outDim }, (_, o) => row.reduce((sum, v, i) => sum + v * t(`${name}.weight`)[o * row.length + i], t(`${name}.bias`)[o])));
  const layerNorm = (x: number[][], name: string) =>
    x.map((row) => {
      const mean = row.reduce((a, b) => a + b, 0) / row.length;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * t(`${name}.weight`)[i] + t(`${name}.bias`)[i]);
    });
  const add = (a: number[][], b: number[][]) => a.map((row, i) => row.map((v, j) => v + b[i][j]));
  let running = 0;
  const positions = ids.map((id) => (id !== 1 ? ++running + 1 : 1));
  const row = (name: string, index: number) => Array.from(t(name).subarray(index * hidden, (index + 1) * hidden));
  let x = layerNorm(ids.map((id, i) => row('embeddings.word_embeddings.weight', id).map((v, d) => v + row('embeddings.position_embeddings.weight', positions[i])[d])), 'embeddings.LayerNorm');
  const bias = (h: number, i: number, j: number) => t('encoder.relative_attention_bias.weight')[bucketFloat64(j - i, 32, 128) * heads + h];
  for (let layer = 0; layer < (config.num_hidden_layers as number); layer++) {
    const prefix = `encoder.layer.${layer}`;
    const [q, k, v] = ['q', 'k', 'v'].map((p) => linear(x, `${prefix}.attention.attn.${p}`, hidden));
    const context = x.map(() => new Array<number>(hidden).fill(0));
    for (let h = 0; h < heads; h++) {
      const slice = (m: number[][], i: number) => m[i].slice(h * headDim, (h + 1) * headDim);
      for (let i = 0; i < ids.length; i++) {
        const scores = ids.map((_, j) => (mask[j] ? slice(q, i).reduce((s, qv, d) => s + qv * slice(k, j)[d], 0) / Math.sqrt(headDim) + bias(h, i, j) : -Infinity));
        const top = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - top));
        const total = weights.reduce((a, b) => a + b, 0);
        for (let j = 0; j < ids.length; j++) for (let d = 0; d < headDim; d++) context[i][h * headDim + d] += (weights[j] / total) * v[j][h * headDim + d];
      }
    }
    const attended = layerNorm(add(linear(context, `${prefix}.attention.attn.o`, hidden), x), `${prefix}.attention.LayerNorm`);
    const inner = linear(attended, `${prefix}.intermediate.dense`, config.intermediate_size as number).map((r) => r.map((value) => Math.max(value, 0)));
    x = layerNorm(add(linear(inner, `${prefix}.output.dense`, hidden), attended), `${prefix}.output.LayerNorm`);
  }
  return x;
}

describe('buildMpnet against a float64 forward pass', () => {
  it('agrees on a padded batch longer than max_distance (bucket clamp, padding positions)', async () => {
    const { config, tensors } = tinyMpnet(11, { max_position_embeddings: 160, hidden_act: 'relu' });
    const random = mulberry32(5);
    const texts = [150, 37].map((length) => [0, ...Array.from({ length: length - 2 }, () => 3 + Math.floor(random() * 17)), 2]);
    const plan = { indices: [0, 1], seqLen: 150 };
    const inputs = buildBatchInputs(texts, plan, 1);
    const dims = [inputs.batch, inputs.seqLen];
    const model = await ort.InferenceSession.create(modelBytes(buildMpnet(config, mapWeights(tensors), 'mpnet')), { executionProviders: ['cpu'] });
    const out = await model.run({ input_ids: new ort.Tensor('int64', inputs.inputIds, dims), attention_mask: new ort.Tensor('int64', inputs.attentionMask, dims) });
    const got = out.last_hidden_state.data as Float32Array;
    let worst = 0;
    for (let r = 0; r < 2; r++) {
      const ids = Array.from(inputs.inputIds.subarray(r * 150, (r + 1) * 150), Number);
      const expected = mpnetFloat64(config, tensors, ids, Array.from(inputs.mask.subarray(r * 150, (r + 1) * 150)));
      expected.forEach((token, i) => token.forEach((value, d) => (worst = Math.max(worst, Math.abs(got[(r * 150 + i) * 8 + d] - value)))));
    }
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('buildMpnet errors', () => {
  it('builds the tiny model (the fixture is complete)', () => {
    const { config, tensors } = tinyMpnet();
    expect(modelBytes(buildMpnet(config, mapWeights(tensors), 'mpnet')).length).toBeGreaterThan(0);
  });

  it('names the missing relative attention bias', () => {
    const { config, tensors } = tinyMpnet();
    delete tensors['encoder.relative_attention_bias.weight'];
    expect(() => modelBytes(buildMpnet(config, mapWeights(tensors), 'mpnet'))).toThrow(/lacks 1 tensor a mpnet model needs \(encoder\.relative_attention_bias\.weight\)/);
  });

  it('lists the first five missing tensors of another architecture', () => {
    const { config, tensors } = tinyMpnet();
    for (const name of Object.keys(tensors)) if (name.startsWith('encoder.layer.0.attention.attn')) delete tensors[name];
    expect(() => modelBytes(buildMpnet(config, mapWeights(tensors), 'mpnet'))).toThrow(/lacks 8 tensors a mpnet model needs \(encoder\.layer\.0\.attention\.attn\.q\.weight, .*, …\)/);
  });

  it('refuses a relative attention bias of the wrong shape', () => {
    const { config, tensors } = tinyMpnet();
    tensors['encoder.relative_attention_bias.weight'] = { dims: [32, 3], data: new Float32Array(96) };
    expect(() => modelBytes(buildMpnet(config, mapWeights(tensors), 'mpnet'))).toThrow(/encoder\.relative_attention_bias\.weight has shape \[32, 3\] but config\.json implies \[32, 2\]/);
  });

  it('sizes the bias table by relative_attention_num_buckets but refuses fewer than the 32 buckets MPNet uses', () => {
    const { config, tensors } = tinyMpnet();
    expect(() => modelBytes(buildMpnet({ ...config, relative_attention_num_buckets: 64 }, mapWeights(tensors), 'mpnet'))).toThrow(/implies \[64, 2\]/);
    expect(() => modelBytes(buildMpnet({ ...config, relative_attention_num_buckets: 16 }, mapWeights(tensors), 'mpnet'))).toThrow(/relative_attention_num_buckets is 16/);
  });

  it('refuses a wrong layer shape and a hidden size that heads do not divide', () => {
    const { config, tensors } = tinyMpnet();
    tensors['encoder.layer.0.intermediate.dense.weight'] = { dims: [8, 16], data: new Float32Array(128) };
    expect(() => modelBytes(buildMpnet(config, mapWeights(tensors), 'mpnet'))).toThrow(/intermediate\.dense\.weight has shape \[8, 16\] but config\.json implies \[16, 8\]/);
    expect(() => modelBytes(buildMpnet({ ...config, num_attention_heads: 3 }, mapWeights(tinyMpnet().tensors), 'mpnet'))).toThrow(/8 is not divisible by 3 heads/);
  });
});
