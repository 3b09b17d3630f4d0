/**
 * BertModel, RobertaModel, XLMRobertaModel and CamembertModel (transformers 5.x `modeling_bert.py`,
 * `modeling_roberta.py`; the last two are copies of RoBERTa) as an ONNX graph: word + token type +
 * position embeddings and a LayerNorm, then post-norm layers of self-attention and a feed-forward block.
 * The pooler is not part of `last_hidden_state`: it is neither built nor required.
 */
import { ModelFolderError } from '../modelSource.ts';
import type { Weights } from '../weights.ts';
import type { SerializedModel } from '../../onnx/graphBuilder.ts';
import {
  addAndNorm,
  checkpointFile,
  configInt,
  configNumber,
  EncoderGraph,
  expectDims,
  headSize,
  leadingRows,
  paddingOffsetPositionIds,
  requireTensors,
  selfAttention,
} from './transformerParts.ts';

/** Families whose position ids count real tokens from `padding_idx + 1` (fairseq's `make_positions`). */
const PADDING_OFFSET_FAMILIES = ['roberta', 'xlm-roberta', 'camembert'];

/** What config.json says about the shapes, with the config classes' defaults where a key is absent. */
interface BertDims {
  hidden: number;
  layers: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  positions: number;
  tokenTypes: number;
  epsilon: number;
  activation: string;
  /** RoBERTa-style families only: `pad_token_id`, the `padding_idx` positions are offset by. */
  padId: number | null;
}

export function buildBert(config: Record<string, unknown>, weights: Weights, modelType: string): SerializedModel {
  if (modelType !== 'bert' && !PADDING_OFFSET_FAMILIES.includes(modelType)) {
    throw new ModelFolderError(weights.source, 'config.json', `model_type "${modelType}" is not built as BERT (bert, ${PADDING_OFFSET_FAMILIES.join(', ')})`);
  }
  const dims = readBertDims(config, weights.source, modelType);
  requireTensors(weights, modelType, bertTensorNames(dims.layers), checkpointFile(weights));

  const e = new EncoderGraph(weights, modelType, modelType);
  const inputIds = e.tokenInput('input_ids');
  const attentionMask = e.tokenInput('attention_mask');
  // RoBERTa's tokenizers return no token types: transformers then adds row 0, so the graph takes none.
  const tokenTypes = dims.padId === null ? tokenTypeEmbeddings(e, dims, e.tokenInput('token_type_ids')) : firstTokenType(e, dims);
  let hidden = embeddings(e, dims, inputIds, tokenTypes);
  const padding = e.paddingBias(attentionMask);
  for (let i = 0; i < dims.layers; i++) hidden = bertLayer(e, dims, hidden, padding, `encoder.layer.${i}`);
  return e.finish(hidden, dims.hidden);
}

function readBertDims(config: Record<string, unknown>, source: string, modelType: string): BertDims {
  const positionType = config.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new ModelFolderError(source, 'config.json', `position_embedding_type "${String(positionType)}" is not built: the lab builds BERT with absolute positions only`);
  }
  if (config.is_decoder === true) {
    throw new ModelFolderError(source, 'config.json', 'is_decoder is true: a causal BERT is not a sentence encoder the lab builds');
  }
  const activation = config.hidden_act ?? 'gelu';
  if (typeof activation !== 'string') throw new ModelFolderError(source, 'config.json', `hidden_act must be a name, found ${JSON.stringify(activation)}`);
  const hidden = configInt(config, 'hidden_size', source, 768);
  const roberta = modelType !== 'bert';
  return {
    hidden,
    layers: configInt(config, 'num_hidden_layers', source, 12),
    headDim: headSize(hidden, configInt(config, 'num_attention_heads', source, 12), source),
    intermediate: configInt(config, 'intermediate_size', source, 3072),
    vocab: configInt(config, 'vocab_size', source, modelType === 'roberta' ? 50265 : 30522),
    positions: configInt(config, 'max_position_embeddings', source, 512),
    tokenTypes: configInt(config, 'type_vocab_size', source, 2),
    epsilon: configNumber(config, 'layer_norm_eps', source, 1e-12),
    activation,
    padId: roberta ? paddingIndex(config, source) : null,
  };
}

function paddingIndex(config: Record<string, unknown>, source: string): number {
  // An explicit null leaves transformers without a padding_idx to count from; only an absent key takes the default.
  const value = 'pad_token_id' in config ? config.pad_token_id : 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ModelFolderError(source, 'config.json', `pad_token_id must be a non-negative integer (positions are counted from it), found ${JSON.stringify(config.pad_token_id)}`);
  }
  return value;
}

/** Every tensor the graph reads, in the order transformers saves them. */
export function bertTensorNames(layers: number): string[] {
  const names = ['word_embeddings', 'position_embeddings', 'token_type_embeddings'].map((t) => `embeddings.${t}.weight`);
  names.push('embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias');
  const linears = ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense'];
  const norms = ['attention.output.LayerNorm', 'output.LayerNorm'];
  for (let i = 0; i < layers; i++) {
    for (const part of [...linears, ...norms]) names.push(`encoder.layer.${i}.${part}.weight`, `encoder.layer.${i}.${part}.bias`);
  }
  return names;
}

/**
 * `LayerNorm(words + token types + positions)`, added in transformers' order. BERT's positions are
 * 0 … seq−1; RoBERTa's count real tokens from `pad + 1` (padding sits at `pad`).
 */
function embeddings(e: EncoderGraph, dims: BertDims, inputIds: string, tokenTypes: string): string {
  const g = e.g;
  const words = g.op('Gather', [e.tensor('embeddings.word_embeddings.weight', [dims.vocab, dims.hidden]), inputIds], { axis: 0 });
  const table = e.tensor('embeddings.position_embeddings.weight', [dims.positions, dims.hidden]);
  const positions =
    dims.padId === null ? leadingRows(e, table, inputIds) : g.op('Gather', [table, paddingOffsetPositionIds(e, inputIds, dims.padId)], { axis: 0 });
  const sum = g.op('Add', [g.op('Add', [words, tokenTypes]), positions]);
  return e.layerNorm(sum, 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', dims.hidden, dims.epsilon);
}

function tokenTypeEmbeddings(e: EncoderGraph, dims: BertDims, tokenTypeIds: string): string {
  return e.g.op('Gather', [e.tensor('embeddings.token_type_embeddings.weight', [dims.tokenTypes, dims.hidden]), tokenTypeIds], { axis: 0 });
}

/** Row 0 of the token type table, `[hidden]`: what transformers adds when no token types are given. */
function firstTokenType(e: EncoderGraph, dims: BertDims): string {
  const table = 'embeddings.token_type_embeddings.weight';
  expectDims(e.weights, table, [dims.tokenTypes, dims.hidden]);
  return e.g.floatWeight(`${table}.row0`, [dims.hidden], () => e.weights.float32(table).data.subarray(0, dims.hidden));
}

/** One `BertLayer`: attention, `LayerNorm(dense + x)`, then the feed-forward block, `LayerNorm(dense + attended)`. */
function bertLayer(e: EncoderGraph, dims: BertDims, x: string, padding: string, prefix: string): string {
  const { hidden, intermediate } = dims;
  const qkv = { query: `${prefix}.attention.self.query`, key: `${prefix}.attention.self.key`, value: `${prefix}.attention.self.value` };
  const context = selfAttention(e, x, qkv, hidden, dims.headDim, [padding]);
  const projected = e.linear(context, `${prefix}.attention.output.dense.weight`, `${prefix}.attention.output.dense.bias`, hidden, hidden);
  const attended = addAndNorm(e, projected, x, `${prefix}.attention.output.LayerNorm`, hidden, dims.epsilon);
  const inner = e.activation(e.linear(attended, `${prefix}.intermediate.dense.weight`, `${prefix}.intermediate.dense.bias`, hidden, intermediate), dims.activation);
  const output = e.linear(inner, `${prefix}.output.dense.weight`, `${prefix}.output.dense.bias`, intermediate, hidden);
  return addAndNorm(e, output, attended, `${prefix}.output.LayerNorm`, hidden, dims.epsilon);
}
