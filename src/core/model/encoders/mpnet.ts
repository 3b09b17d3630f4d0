/**
 * MPNet (`model_type` "mpnet", transformers' `MPNetModel`, as in all-mpnet-base-v2) as an ONNX graph,
 * following transformers 5.x `modeling_mpnet.py`: word + position embeddings (positions made from
 * `input_ids` like RoBERTa's), post-LayerNorm layers, and one relative attention bias computed once and
 * added to the scores of every layer.
 */
import { ModelFolderError } from '../modelSource.ts';
import type { Weights } from '../weights.ts';
import type { SerializedModel } from '../../onnx/graphBuilder.ts';
import { ONNX_INT32 } from '../../onnx/onnxProto.ts';
import { configInt, configNumber, EncoderGraph, expectDims, headSize, paddingOffsetPositionIds, requireTensors } from './transformerParts.ts';

/**
 * `MPNetEncoder.compute_position_bias` calls `relative_position_bucket` with its defaults whatever config.json
 * says: 32 buckets, max distance 128. `relative_attention_num_buckets` only sizes the bias table.
 */
const MPNET_BUCKETS = 32;
const MPNET_MAX_DISTANCE = 128;

/** `MPNetEmbeddings` hard-codes `padding_idx = 1` for its positions, not config.json's `pad_token_id`. */
const MPNET_PADDING_IDX = 1;

const RELATIVE_BIAS = 'encoder.relative_attention_bias.weight';

interface MpnetShape {
  hidden: number;
  heads: number;
  headDim: number;
  layers: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
  biasRows: number;
  epsilon: number;
  activation: string;
}

export function buildMpnet(config: Record<string, unknown>, weights: Weights, modelType: string): SerializedModel {
  const shape = readShape(config, weights.source);
  requireTensors(weights, modelType, mpnetTensorNames(shape.layers), weights.names.length > 0 ? weights.fileOf(weights.names[0]) : 'model.safetensors');
  expectDims(weights, RELATIVE_BIAS, [shape.biasRows, shape.heads]);

  const e = new EncoderGraph(weights, modelType, 'mpnet');
  const inputIds = e.tokenInput('input_ids');
  const attentionMask = e.tokenInput('attention_mask');
  const biases = [relativePositionBias(e, inputIds, shape), e.paddingBias(attentionMask)];
  let hidden = embeddings(e, inputIds, shape);
  for (let layer = 0; layer < shape.layers; layer++) hidden = encoderLayer(e, hidden, `encoder.layer.${layer}`, shape, biases);
  return e.finish(hidden, shape.hidden);
}

function readShape(config: Record<string, unknown>, source: string): MpnetShape {
  const hidden = configInt(config, 'hidden_size', source);
  const heads = configInt(config, 'num_attention_heads', source);
  const biasRows = configInt(config, 'relative_attention_num_buckets', source, 32);
  if (biasRows < MPNET_BUCKETS) {
    // transformers would index past the table: its buckets always run 0…31.
    throw new ModelFolderError(source, 'config.json', `relative_attention_num_buckets is ${biasRows}, but MPNet's relative positions use ${MPNET_BUCKETS} buckets`);
  }
  const activation = config.hidden_act ?? 'gelu';
  if (typeof activation !== 'string') throw new ModelFolderError(source, 'config.json', `hidden_act must be a string, found ${JSON.stringify(activation)}`);
  return {
    hidden,
    heads,
    headDim: headSize(hidden, heads, source),
    layers: configInt(config, 'num_hidden_layers', source),
    intermediate: configInt(config, 'intermediate_size', source),
    vocab: configInt(config, 'vocab_size', source),
    maxPositions: configInt(config, 'max_position_embeddings', source),
    biasRows,
    epsilon: configNumber(config, 'layer_norm_eps', source, 1e-12),
    activation,
  };
}

/** Every tensor an MPNetModel checkpoint holds that the encoder reads (the pooler is not part of it). */
export function mpnetTensorNames(layers: number): string[] {
  const names = ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', RELATIVE_BIAS];
  const linears = ['attention.attn.q', 'attention.attn.k', 'attention.attn.v', 'attention.attn.o', 'attention.LayerNorm', 'intermediate.dense', 'output.dense', 'output.LayerNorm'];
  for (let layer = 0; layer < layers; layer++) {
    for (const part of linears) names.push(`encoder.layer.${layer}.${part}.weight`, `encoder.layer.${layer}.${part}.bias`);
  }
  return names;
}

/**
 * LayerNorm(word + position embeddings). Positions as `create_position_ids_from_input_ids`:
 * `cumsum(mask)·mask + padding_idx` with `mask = input_ids ≠ padding_idx`, so padding keeps position 1.
 */
function embeddings(e: EncoderGraph, inputIds: string, shape: MpnetShape): string {
  const g = e.g;
  // RoBERTa's rule with MPNet's fixed padding index 1, as int32 indices (see paddingOffsetPositionIds).
  const positions = paddingOffsetPositionIds(e, inputIds, MPNET_PADDING_IDX);
  const words = g.op('Gather', [e.tensor('embeddings.word_embeddings.weight', [shape.vocab, shape.hidden]), inputIds]);
  const places = g.op('Gather', [e.tensor('embeddings.position_embeddings.weight', [shape.maxPositions, shape.hidden]), positions]);
  return e.layerNorm(g.op('Add', [words, places]), 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', shape.hidden, shape.epsilon);
}

/**
 * `[1, heads, seq, seq]`: the bias weight at the bucket of `j − i` (memory minus context position, over
 * `arange(seq)` — transformers passes no position ids). The buckets come from a table built here for
 * distances −128…128; beyond ±128 the bucket no longer changes, so the graph clamps `j − i` to that range
 * and stays exact for any sequence length.
 */
function relativePositionBias(e: EncoderGraph, inputIds: string, shape: MpnetShape): string {
  const g = e.g;
  const seqLen = g.op('Gather', [g.op('Shape', [inputIds]), g.ints([1], [])]);
  const positions = g.op('Range', [g.ints([0], []), seqLen, g.ints([1], [])]);
  const relative = g.op('Sub', [g.op('Unsqueeze', [positions, g.ints([0])]), g.op('Unsqueeze', [positions, g.ints([1])])]);
  const reach = MPNET_MAX_DISTANCE;
  const clamped = g.op('Min', [g.op('Max', [relative, g.ints([-reach], [])]), g.ints([reach], [])]);
  const table = g.ints(Array.from(relativePositionBucketTable(reach)), [2 * reach + 1]);
  const buckets = g.op('Gather', [table, g.op('Cast', [g.op('Add', [clamped, g.ints([reach], [])])], { to: ONNX_INT32 })]);
  const values = g.op('Gather', [e.tensor(RELATIVE_BIAS, [shape.biasRows, shape.heads]), g.op('Cast', [buckets], { to: ONNX_INT32 })]);
  return g.op('Unsqueeze', [g.op('Transpose', [values], { perm: [2, 0, 1] }), g.ints([0])]);
}

/** Buckets of relative positions −reach…reach (index `relative + reach`), with MPNet's bucket settings. */
export function relativePositionBucketTable(reach: number, numBuckets = MPNET_BUCKETS, maxDistance = MPNET_MAX_DISTANCE): Int32Array {
  const table = new Int32Array(2 * reach + 1);
  for (let i = 0; i < table.length; i++) table[i] = relativePositionBucket(i - reach, numBuckets, maxDistance);
  return table;
}

/**
 * `MPNetEncoder.relative_position_bucket` for one relative position, in torch's float32 arithmetic: half
 * the buckets per direction (memory after context takes the upper half), exact below `max_exact`,
 * logarithmic up to `max_distance`, clamped to the last bucket. `Math.fround` after each step reproduces
 * the float32 tensor ops (the Python-float divisor is rounded to float32 too); `Math.trunc` is `.to(long)`.
 */
export function relativePositionBucket(relativePosition: number, numBuckets = MPNET_BUCKETS, maxDistance = MPNET_MAX_DISTANCE): number {
  const half = Math.floor(numBuckets / 2);
  const n = -relativePosition;
  const offset = n < 0 ? half : 0;
  const distance = Math.abs(n);
  const maxExact = Math.floor(half / 2);
  if (distance < maxExact) return offset + distance;
  const f = Math.fround;
  const logRatio = f(Math.log(f(distance / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * (half - maxExact));
  return offset + Math.min(maxExact + Math.trunc(scaled), half - 1);
}

/** Post-LayerNorm layer: LN(attention + x), then LN(FFN + that), as MPNetAttention / MPNetOutput add them. */
function encoderLayer(e: EncoderGraph, x: string, prefix: string, shape: MpnetShape, biases: readonly string[]): string {
  const { hidden, heads, headDim, intermediate, epsilon } = shape;
  const g = e.g;
  const project = (name: string) => e.linear(x, `${prefix}.attention.attn.${name}.weight`, `${prefix}.attention.attn.${name}.bias`, hidden, hidden);
  const q = e.splitHeads(project('q'), heads, headDim);
  const kT = e.splitHeads(project('k'), heads, headDim, true);
  const v = e.splitHeads(project('v'), heads, headDim);
  const context = e.mergeHeads(e.attention(q, kT, v, headDim, biases), hidden);
  const attended = e.linear(context, `${prefix}.attention.attn.o.weight`, `${prefix}.attention.attn.o.bias`, hidden, hidden);
  const afterAttention = e.layerNorm(g.op('Add', [attended, x]), `${prefix}.attention.LayerNorm.weight`, `${prefix}.attention.LayerNorm.bias`, hidden, epsilon);
  const inner = e.activation(e.linear(afterAttention, `${prefix}.intermediate.dense.weight`, `${prefix}.intermediate.dense.bias`, hidden, intermediate), shape.activation);
  const out = e.linear(inner, `${prefix}.output.dense.weight`, `${prefix}.output.dense.bias`, intermediate, hidden);
  return e.layerNorm(g.op('Add', [out, afterAttention]), `${prefix}.output.LayerNorm.weight`, `${prefix}.output.LayerNorm.bias`, hidden, epsilon);
}
