import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelBytes } from '../../onnx/graphBuilder.ts';
import { buildBatchInputs, type BatchInputs } from '../batching.ts';
import type { ModelSource } from '../modelSource.ts';
import { readModelSpec } from '../modelSpec.ts';
import { readSafetensorsWeights } from '../safetensorsWeights.ts';
import type { WeightTensor } from '../weights.ts';
import { poolTokensCpu } from '../../kernels/pooling/pooling.cpu.ts';
import { ONNX_FLOAT } from '../../onnx/onnxProto.ts';
import { buildModernBert, modernBertShape, rotaryTables, slidingWindowBias } from './modernbert.ts';
import { ENCODER_OPSET, EncoderGraph, MASKED_SCORE } from './transformerParts.ts';
import { mapWeights } from '../../../../tests/fixtures/mapWeights.ts';
import { mulberry32 } from '../../../../tests/fixtures/random.ts';
import { zooFolder, zooReference } from '../../../../tests/fixtures/stZoo.ts';
import { needs } from '../../../../tests/paths.ts';

const ZOO_MODERNBERT = ['modernbert-mean'] as const;
const TOLERANCE = 1e-5;

function folderSource(folder: string): ModelSource {
  return { name: path.basename(folder), read: async (file) => (existsSync(path.join(folder, file)) ? readFileSync(path.join(folder, file)) : null) };
}

async function session(onnx: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
}

async function lastHiddenState(model: ort.InferenceSession, inputs: BatchInputs): Promise<Float32Array> {
  const dims = [inputs.batch, inputs.seqLen];
  const result = await model.run({
    input_ids: new ort.Tensor('int64', inputs.inputIds, dims),
    attention_mask: new ort.Tensor('int64', inputs.attentionMask, dims),
  });
  return result.last_hidden_state.data as Float32Array;
}

function maxAbsDelta(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

describe.each(ZOO_MODERNBERT)('ModernBERT zoo checkpoint %s', (name) => {
  const folder = zooFolder(name);

  it(needs(folder, 'reproduces sentence-transformers in one padded batch and one text per batch'), async () => {
    const source = folderSource(folder);
    const reference = zooReference(name);
    const spec = await readModelSpec(source);
    const weights = await readSafetensorsWeights(source);
    if (!weights) throw new Error(`${folder} holds no safetensors`);
    const config = reference.config;
    const hidden = config.hidden_size as number;
    const padId = config.pad_token_id as number;
    const model = await session(modelBytes(buildModernBert(config, weights, 'modernbert')));
    expect(model.inputNames).toEqual(['input_ids', 'attention_mask']);

    const encode = async (indices: number[]) => {
      const seqLen = Math.max(...indices.map((i) => reference.token_ids[i].length));
      const inputs = buildBatchInputs(reference.token_ids, { indices, seqLen }, padId);
      const tokens = await lastHiddenState(model, inputs);
      // Padding rows far from every token see no key in sliding layers; they must stay finite all the same.
      expect(tokens.every(Number.isFinite)).toBe(true);
      return poolTokensCpu({ tokens, mask: inputs.mask, batch: inputs.batch, seqLen, hidden, modes: spec.pooling, normalize: spec.normalize });
    };
    const all = reference.token_ids.map((_, i) => i);
    const batched = maxAbsDelta(await encode(all), reference.encode.flat());
    let single = 0;
    for (const i of all) single = Math.max(single, maxAbsDelta(await encode([i]), reference.encode[i]));
    console.info(`${name}: max |Δ| one padded batch ${batched.toExponential(2)}, one text per batch ${single.toExponential(2)}`);
    expect(batched).toBeLessThanOrEqual(TOLERANCE);
    expect(single).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('rotaryTables', () => {
  // torch 2.x float32 (ModernBertRotaryEmbedding, head_dim 8), columns 0–3; columns 4–7 repeat them.
  // torch's vectorised cos/sin are not always correctly rounded: 1 ulp is the agreement to expect.
  const TORCH: Record<number, Record<number, { cos: number[]; sin: number[] }>> = {
    160000: {
      37: { cos: [0.7654140591621399, -0.27559027075767517, 0.9957249164581299, 0.9999893307685852], sin: [-0.6435381174087524, 0.9612752199172974, 0.09236814826726913, 0.004624983761459589] },
      127: { cos: [0.23235909640789032, 0.9977687001228333, 0.9500188827514648, 0.9998739957809448], sin: [0.9726300835609436, 0.06676489859819412, 0.31219249963760376, 0.015874333679676056] },
    },
    10000: {
      37: { cos: [0.7654140591621399, -0.8481000065803528, 0.9323273301124573, 0.9993155598640442], sin: [-0.6435381174087524, -0.5298361778259277, 0.36161544919013977, 0.036991558969020844] },
      127: { cos: [0.23235909640789032, 0.9910848736763, 0.2962808907032013, 0.9919463396072388], sin: [0.9726300835609436, 0.13323184847831726, 0.9551008343696594, 0.12665888667106628] },
    },
  };

  it.each([160000, 10000])('matches torch within one float32 ulp (theta %d)', (theta) => {
    const { cos, sin } = rotaryTables(theta, 8, 128);
    expect(cos.length).toBe(128 * 8);
    expect(Array.from(cos.subarray(0, 8))).toEqual(Array(8).fill(1));
    expect(Array.from(sin.subarray(0, 8))).toEqual(Array(8).fill(0));
    for (const [position, expected] of Object.entries(TORCH[theta])) {
      const row = Number(position) * 8;
      for (let i = 0; i < 4; i++) {
        for (const column of [i, i + 4]) {
          expect(Math.abs(cos[row + column] - expected.cos[i])).toBeLessThanOrEqual(6e-8);
          expect(Math.abs(sin[row + column] - expected.sin[i])).toBeLessThanOrEqual(6e-8);
        }
      }
    }
  });
});

describe('slidingWindowBias', () => {
  async function windowBias(mask: number[][], halfWindow: number): Promise<Float32Array> {
    const eg = new EncoderGraph(mapWeights({}), 'modernbert', 'window');
    const attentionMask = eg.tokenInput('attention_mask');
    const seqLen = eg.g.op('Slice', [eg.g.op('Shape', [attentionMask]), eg.g.ints([1]), eg.g.ints([2])]);
    const bias = slidingWindowBias(eg, 16, halfWindow, seqLen, eg.paddingBias(attentionMask));
    eg.g.output(bias, { name: 'bias', elemType: ONNX_FLOAT, shape: ['batch_size', 1, 'sequence_length', 'sequence_length'] });
    const model = await session(eg.g.finish(ENCODER_OPSET));
    const flat = BigInt64Array.from(mask.flat().map(BigInt));
    const result = await model.run({ attention_mask: new ort.Tensor('int64', flat, [mask.length, mask[0].length]) });
    expect(result.bias.dims).toEqual([mask.length, 1, mask[0].length, mask[0].length]);
    return result.bias.data as Float32Array;
  }

  it('masks keys farther than half the window and padding, each once', async () => {
    const mask = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    ];
    const seq = mask[0].length;
    const half = 2; // local_attention 5 → 5 // 2
    const bias = await windowBias(mask, half);
    mask.forEach((row, b) => {
      for (let i = 0; i < seq; i++) {
        for (let j = 0; j < seq; j++) {
          const value = bias[(b * seq + i) * seq + j];
          const seen = value === 0 ? 'visible' : value === Math.fround(MASKED_SCORE) ? 'masked' : String(value);
          const expected = Math.abs(i - j) <= half && row[j] === 1 ? 'visible' : 'masked';
          expect(seen, `batch ${b}, query ${i}, key ${j}`).toBe(expected);
        }
      }
    });
  });
});

/** A random ModernBERT checkpoint small enough to write by hand: hidden 8, 2 heads, 2 layers, no biases. */
function tinyCheckpoint(overrides: Record<string, WeightTensor | undefined> = {}) {
  const random = mulberry32(7);
  const tensor = (...dims: number[]): WeightTensor => ({ dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() - 0.5) });
  const tensors: Record<string, WeightTensor> = {
    'embeddings.tok_embeddings.weight': tensor(10, 8),
    'embeddings.norm.weight': tensor(8),
    'final_norm.weight': tensor(8),
  };
  for (let layer = 0; layer < 2; layer++) {
    const p = `layers.${layer}`;
    if (layer > 0) tensors[`${p}.attn_norm.weight`] = tensor(8);
    Object.assign(tensors, {
      [`${p}.attn.Wqkv.weight`]: tensor(24, 8),
      [`${p}.attn.Wo.weight`]: tensor(8, 8),
      [`${p}.mlp_norm.weight`]: tensor(8),
      [`${p}.mlp.Wi.weight`]: tensor(24, 8),
      [`${p}.mlp.Wo.weight`]: tensor(8, 12),
    });
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (value) tensors[name] = value;
    else delete tensors[name];
  }
  return mapWeights(tensors, 'tiny-modernbert');
}

const TINY_CONFIG = {
  model_type: 'modernbert',
  vocab_size: 10,
  hidden_size: 8,
  num_attention_heads: 2,
  num_hidden_layers: 2,
  intermediate_size: 12,
  max_position_embeddings: 32,
  local_attention: 4,
  layer_types: ['full_attention', 'sliding_attention'],
  rope_parameters: { full_attention: { rope_theta: 160000, rope_type: 'default' }, sliding_attention: { rope_theta: 10000, rope_type: 'default' } },
  norm_eps: 1e-5,
  hidden_activation: 'gelu',
};

describe('ModernBERT config', () => {
  it('reads the older keys (global/local rope theta, global_attn_every_n_layers) as transformers 5 does', () => {
    const { layer_types: _types, rope_parameters: _rope, ...older } = TINY_CONFIG;
    const legacy = { ...older, num_hidden_layers: 4, global_attn_every_n_layers: 3, global_rope_theta: 160000, local_rope_theta: 10000 };
    const shape = modernBertShape(legacy, 'legacy');
    expect(shape.layerTypes).toEqual(['full_attention', 'sliding_attention', 'sliding_attention', 'full_attention']);
    expect(shape.ropeTheta).toEqual({ full_attention: 160000, sliding_attention: 10000 });
    // A null local theta meant "the global one" in the original ModernBERT code.
    expect(modernBertShape({ ...legacy, local_rope_theta: null }, 'legacy').ropeTheta.sliding_attention).toBe(160000);
  });

  it('builds the same graph from either config layout', () => {
    const { layer_types: _types, rope_parameters: _rope, ...older } = TINY_CONFIG;
    const legacy = { ...older, global_attn_every_n_layers: 2, global_rope_theta: 160000, local_rope_theta: 10000 };
    expect(modelBytes(buildModernBert(legacy, tinyCheckpoint(), 'modernbert'))).toEqual(modelBytes(buildModernBert(TINY_CONFIG, tinyCheckpoint(), 'modernbert')));
  });

  it('refuses scaled RoPE variants it does not build', () => {
    const config = { ...TINY_CONFIG, rope_parameters: { ...TINY_CONFIG.rope_parameters, full_attention: { rope_theta: 160000, rope_type: 'yarn' } } };
    expect(() => modelBytes(buildModernBert(config, tinyCheckpoint(), 'modernbert'))).toThrow(/rope_type "yarn" \(full_attention\)/);
    expect(() => modelBytes(buildModernBert({ ...TINY_CONFIG, rope_parameters: undefined, rope_scaling: { type: 'dynamic', factor: 2 } }, tinyCheckpoint(), 'modernbert'))).toThrow(/rope_type "dynamic"/);
  });
});

describe('ModernBERT errors', () => {
  it('names a missing Wqkv tensor', () => {
    const weights = tinyCheckpoint({ 'layers.1.attn.Wqkv.weight': undefined });
    expect(() => modelBytes(buildModernBert(TINY_CONFIG, weights, 'modernbert'))).toThrow(/lacks 1 tensor a modernbert model needs \(layers\.1\.attn\.Wqkv\.weight\)/);
  });

  it('names a Wqkv tensor of the wrong shape', () => {
    const weights = tinyCheckpoint({ 'layers.0.attn.Wqkv.weight': { dims: [16, 8], data: new Float32Array(128) } });
    expect(() => modelBytes(buildModernBert(TINY_CONFIG, weights, 'modernbert'))).toThrow(/layers\.0\.attn\.Wqkv\.weight has shape \[16, 8\] but config\.json implies \[24, 8\]/);
  });

  it('refuses a hidden size the heads do not divide', () => {
    expect(() => modelBytes(buildModernBert({ ...TINY_CONFIG, num_attention_heads: 3 }, tinyCheckpoint(), 'modernbert'))).toThrow(/8 is not divisible by 3 heads/);
  });

  it('asks for norm biases only where norm_bias says so', () => {
    expect(() => modelBytes(buildModernBert({ ...TINY_CONFIG, norm_bias: true }, tinyCheckpoint(), 'modernbert'))).toThrow(/embeddings\.norm\.bias/);
  });
});
