/**
 * DistilBertModel (transformers 5.x `modeling_distilbert.py`) as an ONNX graph: word + position embeddings
 * (no token types) and a LayerNorm, then post-norm layers of self-attention and a feed-forward block. Its
 * LayerNorms use eps 1e-12, fixed in the code rather than read from config.json. Checkpoints with
 * `sinusoidal_pos_embds: true` store the sinusoid table as `embeddings.position_embeddings.weight` like a
 * learned one (transformers only initialises it that way), so both are read from the file.
 */
import { ModelFolderError } from '../modelSource.ts';
import type { Weights } from '../weights.ts';
import type { SerializedModel } from '../../onnx/graphBuilder.ts';
import { addAndNorm, checkpointFile, configInt, EncoderGraph, headSize, leadingRows, requireTensors, selfAttention } from './transformerParts.ts';

/** `nn.LayerNorm(config.dim, eps=1e-12)` in every DistilBERT LayerNorm. */
const DISTILBERT_LAYER_NORM_EPS = 1e-12;

interface DistilBertDims {
  hidden: number;
  layers: number;
  headDim: number;
  ffn: number;
  vocab: number;
  positions: number;
  activation: string;
}

export function buildDistilBert(config: Record<string, unknown>, weights: Weights, modelType: string): SerializedModel {
  const dims = readDistilBertDims(config, weights.source);
  requireTensors(weights, modelType, distilBertTensorNames(dims.layers), checkpointFile(weights));

  const e = new EncoderGraph(weights, modelType, modelType);
  const inputIds = e.tokenInput('input_ids');
  const padding = e.paddingBias(e.tokenInput('attention_mask'));
  let hidden = embeddings(e, dims, inputIds);
  for (let i = 0; i < dims.layers; i++) hidden = transformerBlock(e, dims, hidden, padding, `transformer.layer.${i}`);
  return e.finish(hidden, dims.hidden);
}

/** config.json's DistilBERT keys, with `DistilBertConfig`'s defaults where a key is absent. */
function readDistilBertDims(config: Record<string, unknown>, source: string): DistilBertDims {
  const activation = config.activation ?? 'gelu';
  if (typeof activation !== 'string') throw new ModelFolderError(source, 'config.json', `activation must be a name, found ${JSON.stringify(activation)}`);
  const hidden = configInt(config, 'dim', source, 768);
  return {
    hidden,
    layers: configInt(config, 'n_layers', source, 6),
    headDim: headSize(hidden, configInt(config, 'n_heads', source, 12), source, 'dim / n_heads'),
    ffn: configInt(config, 'hidden_dim', source, 4 * 768),
    vocab: configInt(config, 'vocab_size', source, 30522),
    positions: configInt(config, 'max_position_embeddings', source, 512),
    activation,
  };
}

/** Every tensor the graph reads, in the order transformers saves them. */
export function distilBertTensorNames(layers: number): string[] {
  const names = ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias'];
  const parts = ['attention.q_lin', 'attention.k_lin', 'attention.v_lin', 'attention.out_lin', 'sa_layer_norm', 'ffn.lin1', 'ffn.lin2', 'output_layer_norm'];
  for (let i = 0; i < layers; i++) {
    for (const part of parts) names.push(`transformer.layer.${i}.${part}.weight`, `transformer.layer.${i}.${part}.bias`);
  }
  return names;
}

/** `LayerNorm(words + positions)`, positions 0 … seq−1 (the first `seq` rows of the table). */
function embeddings(e: EncoderGraph, dims: DistilBertDims, inputIds: string): string {
  const g = e.g;
  const words = g.op('Gather', [e.tensor('embeddings.word_embeddings.weight', [dims.vocab, dims.hidden]), inputIds], { axis: 0 });
  const positions = leadingRows(e, e.tensor('embeddings.position_embeddings.weight', [dims.positions, dims.hidden]), inputIds);
  return e.layerNorm(g.op('Add', [words, positions]), 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', dims.hidden, DISTILBERT_LAYER_NORM_EPS);
}

/** One `TransformerBlock`: `sa_layer_norm(out_lin(attention) + x)`, then `output_layer_norm(lin2(act(lin1)) + attended)`. */
function transformerBlock(e: EncoderGraph, dims: DistilBertDims, x: string, padding: string, prefix: string): string {
  const { hidden, ffn } = dims;
  const qkv = { query: `${prefix}.attention.q_lin`, key: `${prefix}.attention.k_lin`, value: `${prefix}.attention.v_lin` };
  const context = selfAttention(e, x, qkv, hidden, dims.headDim, [padding]);
  const projected = e.linear(context, `${prefix}.attention.out_lin.weight`, `${prefix}.attention.out_lin.bias`, hidden, hidden);
  const attended = addAndNorm(e, projected, x, `${prefix}.sa_layer_norm`, hidden, DISTILBERT_LAYER_NORM_EPS);
  const inner = e.activation(e.linear(attended, `${prefix}.ffn.lin1.weight`, `${prefix}.ffn.lin1.bias`, hidden, ffn), dims.activation);
  const output = e.linear(inner, `${prefix}.ffn.lin2.weight`, `${prefix}.ffn.lin2.bias`, ffn, hidden);
  return addAndNorm(e, output, attended, `${prefix}.output_layer_norm`, hidden, DISTILBERT_LAYER_NORM_EPS);
}
