import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelBytes } from '../../onnx/graphBuilder.ts';
import type { BatchPlan } from '../batching.ts';
import type { WeightTensor } from '../weights.ts';
import { mapWeights } from '../../../../tests/fixtures/mapWeights.ts';
import { mulberry32 } from '../../../../tests/fixtures/random.ts';
import { safetensorsCheckpoint, stCheckpointToolsMissing } from '../../../../tests/fixtures/stCheckpoint.ts';
import { HAS_ST_ZOO, zooFolder, zooReference } from '../../../../tests/fixtures/stZoo.ts';
import {
  encoderSession,
  folderPooling,
  folderWeights,
  lastHiddenState,
  maxAbsDelta,
  onePaddedBatch,
  oneTextPerBatch,
  pooledBatch,
  readJsonFile,
} from '../../../../tests/fixtures/zooEncoder.ts';
import { HAS_SHARED_MODELS, needs, REFERENCE_VALUES, SHARED_MODELS } from '../../../../tests/paths.ts';
import { bertTensorNames, buildBert } from './bert.ts';

const BERT_ZOO = ['bert-mean', 'bert-cls-dense-dot', 'bert-prompts', 'bert-max-bf16-sharded', 'roberta-mean', 'xlm-roberta-weightedmean'];
const TOLERANCE = 1e-5;

describe.skipIf(!HAS_ST_ZOO)('buildBert on the st-zoo checkpoints reproduces sentence-transformers encode', () => {
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const session = (name: string) => {
    if (!sessions.has(name)) sessions.set(name, zooSession(name));
    return sessions.get(name)!;
  };

  /** Largest deviation from the reference `encode` over the texts of `plans`. */
  async function worstDelta(name: string, plans: readonly BatchPlan[]): Promise<number> {
    const reference = zooReference(name);
    const model = await session(name);
    let worst = 0;
    for (const plan of plans) {
      const { rows, dim } = await sentenceEmbeddings(name, model, reference.token_ids, plan);
      worst = Math.max(worst, maxAbsDelta(rows, dim, reference.encode, plan.indices));
    }
    return worst;
  }

  for (const name of BERT_ZOO) {
    const folder = zooFolder(name);

    it(needs(folder, `${name}: all probes in one padded batch reproduce encode within 1e-5`), async () => {
      const { token_ids: tokenIds, max_seq_length: maxSeqLength } = zooReference(name);
      const plan = onePaddedBatch(tokenIds);
      expect(plan.seqLen).toBe(maxSeqLength); // the long probe is truncated: padding is exercised
      expect(await worstDelta(name, [plan])).toBeLessThan(TOLERANCE);
    });

    it(needs(folder, `${name}: one text per batch reproduces encode within 1e-5`), async () => {
      expect(await worstDelta(name, oneTextPerBatch(zooReference(name).token_ids))).toBeLessThan(TOLERANCE);
    });
  }
});

async function zooSession(name: string): Promise<ort.InferenceSession> {
  const folder = zooFolder(name);
  const config = readJsonFile(path.join(folder, 'config.json'));
  return encoderSession(modelBytes(buildBert(config, await folderWeights(folder), config.model_type as string)));
}

/**
 * What the folder's pipeline computes after the transformer: pooling and Normalize, and for
 * bert-cls-dense-dot its `2_Dense` (Linear 32→16 + tanh), applied here in float64.
 */
async function sentenceEmbeddings(name: string, model: ort.InferenceSession, tokenIds: number[][], plan: BatchPlan): Promise<{ rows: Float32Array | Float64Array; dim: number }> {
  const folder = zooFolder(name);
  const padId = readJsonFile(path.join(folder, 'config.json')).pad_token_id as number;
  const pooled = await pooledBatch(model, tokenIds, plan, padId, folderPooling(folder));
  if (name !== 'bert-cls-dense-dot') return pooled;
  const dense = await folderWeights(path.join(folder, '2_Dense'));
  return denseTanh(pooled.rows, pooled.dim, dense.float32('linear.weight'), dense.float32('linear.bias'));
}

function denseTanh(rows: Float32Array, inDim: number, weight: WeightTensor, bias: WeightTensor): { rows: Float64Array; dim: number } {
  const outDim = weight.dims[0];
  expect(weight.dims).toEqual([outDim, inDim]);
  const count = rows.length / inDim;
  const out = new Float64Array(count * outDim);
  for (let r = 0; r < count; r++) {
    for (let o = 0; o < outDim; o++) {
      let sum = bias.data[o];
      for (let i = 0; i < inDim; i++) sum += weight.data[o * inDim + i] * rows[r * inDim + i];
      out[r * outDim + o] = Math.tanh(sum);
    }
  }
  return { rows: out, dim: outDim };
}

describe('buildBert on the real MiniLM checkpoint (safetensors written from its ONNX export)', () => {
  const model = 'lab-minilm-l6-base';
  const skipReason = HAS_SHARED_MODELS ? stCheckpointToolsMissing() : `${SHARED_MODELS} is missing (../shared is not beside this checkout)`;
  const title = `${model}: last_hidden_state equals the folder's onnx/model.onnx within 1e-5 on padded probe batches`;

  it.skipIf(skipReason !== null)(skipReason ? `${title} — skipped: ${skipReason}` : title, { timeout: 180_000 }, async () => {
    const folder = safetensorsCheckpoint(model)!;
    const built = await encoderSession(modelBytes(buildBert(readJsonFile(path.join(folder, 'config.json')), await folderWeights(folder), 'bert')));
    const exported = await encoderSession(readFileSync(path.join(SHARED_MODELS, model, 'onnx/model.onnx')));
    expect(built.inputNames).toEqual(exported.inputNames);
    const tokenIds = readJsonFile<{ probe_token_ids: number[][] }>(REFERENCE_VALUES).probe_token_ids;
    const groups = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]; // the 256-token probe pads the middle batch
    let worst = 0;
    for (const indices of groups) {
      const plan = { indices, seqLen: Math.max(...indices.map((i) => tokenIds[i].length)) };
      const ours = await lastHiddenState(built, tokenIds, plan, 0);
      const theirs = await lastHiddenState(exported, tokenIds, plan, 0);
      expect(ours.tokens.length).toBe(theirs.tokens.length);
      for (let i = 0; i < ours.tokens.length; i++) worst = Math.max(worst, Math.abs(ours.tokens[i] - theirs.tokens[i]));
    }
    expect(worst).toBeLessThan(TOLERANCE);
  });
});

/** A tiny BERT (or RoBERTa) with random tensors: hidden 8, 2 heads, 2 layers, intermediate 16, vocab 20. */
function tinyBert(modelType: 'bert' | 'roberta', seed = 11): { config: Record<string, unknown>; tensors: Record<string, WeightTensor> } {
  const roberta = modelType === 'roberta';
  const config: Record<string, unknown> = {
    model_type: modelType,
    hidden_size: 8,
    num_attention_heads: 2,
    num_hidden_layers: 2,
    intermediate_size: 16,
    vocab_size: 20,
    max_position_embeddings: 40,
    type_vocab_size: roberta ? 1 : 2,
    layer_norm_eps: 1e-5,
    hidden_act: 'gelu_new',
    pad_token_id: roberta ? 1 : 0,
  };
  const random = mulberry32(seed);
  const tensors: Record<string, WeightTensor> = {};
  for (const name of bertTensorNames(2)) {
    const dims = tinyDims(name, roberta ? 1 : 2);
    tensors[name] = { dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) };
  }
  return { config, tensors };
}

function tinyDims(name: string, tokenTypes: number): number[] {
  if (name === 'embeddings.word_embeddings.weight') return [20, 8];
  if (name === 'embeddings.position_embeddings.weight') return [40, 8];
  if (name === 'embeddings.token_type_embeddings.weight') return [tokenTypes, 8];
  if (name.includes('intermediate.dense')) return name.endsWith('.weight') ? [16, 8] : [16];
  if (/layer\.\d+\.output\.dense\.weight$/.test(name)) return [8, 16];
  return name.endsWith('.weight') && !name.includes('LayerNorm') ? [8, 8] : [8];
}

/** One padded batch for the tiny models, with explicit token types (BERT) where given. */
interface TinyBatch {
  ids: number[][];
  mask: number[][];
  types?: number[][];
}

async function runTiny(onnx: Uint8Array, batch: TinyBatch): Promise<Float32Array> {
  const model = await encoderSession(onnx);
  const dims = [batch.ids.length, batch.ids[0].length];
  const tensor = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), dims);
  const feeds: Record<string, ort.Tensor> = { input_ids: tensor(batch.ids), attention_mask: tensor(batch.mask) };
  if (batch.types) feeds.token_type_ids = tensor(batch.types);
  const { last_hidden_state: output } = await model.run(feeds);
  return output.data as Float32Array;
}

/** transformers' `create_position_ids_from_input_ids`, transcribed. */
function paddingOffsetPositions(ids: number[][], padId: number): number[][] {
  return ids.map((row) => {
    let count = 0;
    return row.map((id) => (id === padId ? padId : ++count + padId));
  });
}

/**
 * BertModel's forward in float64 (eager attention: masked keys get weight 0), token by token, from the same
 * tensors; `positions` are the position ids each family derives.
 */
function referenceBert(tensors: Record<string, WeightTensor>, batch: TinyBatch, positions: number[][], epsilon: number): Float64Array {
  const hidden = 8;
  const headDim = 4;
  const t = (name: string) => tensors[name];
  const row = (name: string, index: number) => Float64Array.from(t(name).data.subarray(index * hidden, (index + 1) * hidden));
  const out: number[] = [];
  batch.ids.forEach((ids, b) => {
    let x = ids.map((id, s) => {
      const sum = row('embeddings.word_embeddings.weight', id).map((w, d) => w + t('embeddings.token_type_embeddings.weight').data[(batch.types?.[b][s] ?? 0) * hidden + d]);
      return layerNorm64(sum.map((v, d) => v + row('embeddings.position_embeddings.weight', positions[b][s])[d]), t('embeddings.LayerNorm.weight'), t('embeddings.LayerNorm.bias'), epsilon);
    });
    for (let layer = 0; layer < 2; layer++) {
      const p = `encoder.layer.${layer}`;
      const lin = (v: Float64Array, name: string) => linear64(v, t(`${p}.${name}.weight`), t(`${p}.${name}.bias`));
      const q = x.map((v) => lin(v, 'attention.self.query'));
      const k = x.map((v) => lin(v, 'attention.self.key'));
      const v = x.map((u) => lin(u, 'attention.self.value'));
      const context = q.map((qi) => {
        const merged = new Float64Array(hidden);
        for (let h = 0; h < hidden / headDim; h++) {
          const slice = (u: Float64Array) => u.subarray(h * headDim, (h + 1) * headDim);
          const scores = k.map((kj, j) => (batch.mask[b][j] ? dot64(slice(qi), slice(kj)) / Math.sqrt(headDim) : -Infinity));
          const top = Math.max(...scores);
          const weights = scores.map((s) => Math.exp(s - top));
          const total = weights.reduce((a, w) => a + w, 0);
          v.forEach((vj, j) => slice(vj).forEach((value, d) => (merged[h * headDim + d] += (weights[j] / total) * value)));
        }
        return merged;
      });
      const attended = context.map((c, i) => layerNorm64(add64(lin(c, 'attention.output.dense'), x[i]), t(`${p}.attention.output.LayerNorm.weight`), t(`${p}.attention.output.LayerNorm.bias`), epsilon));
      x = attended.map((a) => layerNorm64(add64(lin(lin(a, 'intermediate.dense').map(geluNew64), 'output.dense'), a), t(`${p}.output.LayerNorm.weight`), t(`${p}.output.LayerNorm.bias`), epsilon));
    }
    for (const token of x) out.push(...token);
  });
  return Float64Array.from(out);
}

function linear64(x: Float64Array, weight: WeightTensor, bias: WeightTensor): Float64Array {
  const [outDim, inDim] = weight.dims;
  return Float64Array.from({ length: outDim }, (_, o) => bias.data[o] + dot64(x, weight.data.subarray(o * inDim, (o + 1) * inDim)));
}

function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function add64(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((value, i) => value + b[i]);
}

function layerNorm64(x: Float64Array, gamma: WeightTensor, beta: WeightTensor, epsilon: number): Float64Array {
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + epsilon)) * gamma.data[i] + beta.data[i]);
}

function geluNew64(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('buildBert against a float64 BertModel forward on a tiny random model', () => {
  it('BERT adds the token type of each token (types 0 and 1 in one batch) and positions 0 … seq−1', async () => {
    const { config, tensors } = tinyBert('bert');
    const batch = {
      ids: [[2, 5, 7, 3, 0, 0], [2, 9, 3, 4, 8, 3]],
      mask: [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]],
      types: [[0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]],
    };
    const positions = batch.ids.map((row) => row.map((_, s) => s));
    const ours = await runTiny(modelBytes(buildBert(config, mapWeights(tensors), 'bert')), batch);
    expect(maxDifference(ours, referenceBert(tensors, batch, positions, 1e-5))).toBeLessThan(TOLERANCE);
  });

  it('RoBERTa counts positions from input_ids ≠ pad (a pad id inside the text keeps position pad), with token type row 0', async () => {
    const { config, tensors } = tinyBert('roberta');
    const batch = {
      ids: [[0, 5, 1, 7, 2, 1, 1], [0, 9, 4, 4, 8, 3, 2]],
      mask: [[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]],
    };
    const positions = paddingOffsetPositions(batch.ids, 1);
    expect(positions[0]).toEqual([2, 3, 1, 4, 5, 1, 1]);
    const ours = await runTiny(modelBytes(buildBert(config, mapWeights(tensors), 'roberta')), batch);
    expect(maxDifference(ours, referenceBert(tensors, batch, positions, 1e-5))).toBeLessThan(TOLERANCE);
  });
});

describe('buildBert graph inputs', () => {
  it('BERT takes token_type_ids; the RoBERTa family takes none (its tokenizers return none)', async () => {
    const bert = tinyBert('bert');
    expect((await encoderSession(modelBytes(buildBert(bert.config, mapWeights(bert.tensors), 'bert')))).inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    const roberta = tinyBert('roberta');
    for (const modelType of ['roberta', 'xlm-roberta', 'camembert']) {
      const model = await encoderSession(modelBytes(buildBert({ ...roberta.config, model_type: modelType }, mapWeights(roberta.tensors), modelType)));
      expect(model.inputNames).toEqual(['input_ids', 'attention_mask']);
    }
  });

  it('needs no pooler (the tiny model has none) and ignores one that is there', () => {
    const { config, tensors } = tinyBert('bert');
    const plain = modelBytes(buildBert(config, mapWeights(tensors), 'bert'));
    tensors['pooler.dense.weight'] = { dims: [8, 8], data: new Float32Array(64) };
    tensors['pooler.dense.bias'] = { dims: [8], data: new Float32Array(8) };
    expect(modelBytes(buildBert(config, mapWeights(tensors), 'bert'))).toEqual(plain);
  });
});

describe('buildBert errors', () => {
  const build = (config: Record<string, unknown>, tensors: Record<string, WeightTensor>, modelType = 'bert') => () => modelBytes(buildBert(config, mapWeights(tensors), modelType));

  it('names a missing tensor and the file', () => {
    const { config, tensors } = tinyBert('bert');
    delete tensors['encoder.layer.1.output.LayerNorm.bias'];
    expect(build(config, tensors)).toThrow('test-model: model.safetensors: lacks 1 tensor a bert model needs (encoder.layer.1.output.LayerNorm.bias)');
  });

  it('lists the first five missing tensors when a checkpoint has fewer layers than config.json says', () => {
    const { config, tensors } = tinyBert('roberta');
    expect(build({ ...config, num_hidden_layers: 3 }, tensors, 'roberta')).toThrow(
      /lacks 16 tensors a roberta model needs \(encoder\.layer\.2\.attention\.self\.query\.weight, .*, …\)/,
    );
  });

  it('refuses a tensor whose shape config.json contradicts', () => {
    const { config, tensors } = tinyBert('bert');
    tensors['encoder.layer.0.attention.self.key.weight'] = { dims: [8, 7], data: new Float32Array(56) };
    expect(build(config, tensors)).toThrow('tensor encoder.layer.0.attention.self.key.weight has shape [8, 7] but config.json implies [8, 8]');
    const roberta = tinyBert('roberta');
    expect(build({ ...roberta.config, type_vocab_size: 2 }, roberta.tensors, 'roberta')).toThrow(
      'tensor embeddings.token_type_embeddings.weight has shape [1, 8] but config.json implies [2, 8]',
    );
  });

  it('refuses a hidden size the heads do not divide', () => {
    const { config, tensors } = tinyBert('bert');
    expect(build({ ...config, num_attention_heads: 3 }, tensors)).toThrow('config.json: hidden_size / num_attention_heads: 8 is not divisible by 3 heads');
  });

  it('refuses relative position embeddings and a causal (decoder) BERT by name', () => {
    const { config, tensors } = tinyBert('bert');
    expect(build({ ...config, position_embedding_type: 'relative_key_query' }, tensors)).toThrow(
      'config.json: position_embedding_type "relative_key_query" is not built: the lab builds BERT with absolute positions only',
    );
    expect(build({ ...config, position_embedding_type: 'absolute' }, tensors)()).toBeInstanceOf(Uint8Array);
    expect(build({ ...config, is_decoder: true }, tensors)).toThrow(/is_decoder is true/);
  });

  it('refuses an activation it does not build, a RoBERTa without a pad id and a model type that is not BERT-like', () => {
    const { config, tensors } = tinyBert('bert');
    expect(build({ ...config, hidden_act: 'mish' }, tensors)).toThrow(/activation "mish" is not one the lab builds/);
    expect(build({ ...config, pad_token_id: null }, tensors, 'roberta')).toThrow(/pad_token_id must be a non-negative integer/);
    expect(build(config, tensors, 'albert')).toThrow('model_type "albert" is not built as BERT');
  });
});
