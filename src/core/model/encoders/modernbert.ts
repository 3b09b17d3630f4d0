/**
 * ModernBERT (transformers `modeling_modernbert.py`, `ModernBertModel`: gte-modernbert-base,
 * modernbert-embed-base) as an ONNX graph. Pre-norm layers without biases by default: token embeddings →
 * LayerNorm; per layer `x + Wo(attn(attn_norm(x)))` (layer 0 has no attn_norm) and
 * `x + Wo(act(input) · gate)` over `mlp_norm(x)`, the fused `Wqkv` and `Wi` split in the graph; RoPE on
 * queries and keys with one theta for global layers and another for sliding ones, which also see only
 * keys within `local_attention / 2` positions; `final_norm` at the end. No position embeddings, no token
 * types: the inputs are `input_ids` and `attention_mask`.
 */
import { ModelFolderError } from '../modelSource.ts';
import type { Weights } from '../weights.ts';
import type { SerializedModel } from '../../onnx/graphBuilder.ts';
import { EncoderGraph, MASKED_SCORE, configInt, configNumber, headSize, requireTensors } from './transformerParts.ts';

export type LayerType = 'full_attention' | 'sliding_attention';

/** transformers' defaults when a config names no theta (`ModernBertConfig.default_theta`). */
const DEFAULT_THETA: Record<LayerType, number> = { full_attention: 160_000, sliding_attention: 10_000 };

/** What config.json says about the architecture, in the lab's names. */
export interface ModernBertShape {
  vocab: number;
  hidden: number;
  heads: number;
  headDim: number;
  intermediate: number;
  maxPositions: number;
  /** Full window width: a sliding layer sees keys at distance ≤ `localAttention / 2` (integer halving). */
  localAttention: number;
  layerTypes: LayerType[];
  ropeTheta: Record<LayerType, number>;
  normEps: number;
  normBias: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
  activation: string;
}

export function buildModernBert(config: Record<string, unknown>, weights: Weights, modelType: string): SerializedModel {
  const shape = modernBertShape(config, weights.source);
  requireTensors(weights, modelType, modernBertTensorNames(shape), checkpointFile(weights));
  const eg = new EncoderGraph(weights, modelType, 'modernbert');
  const g = eg.g;
  const inputIds = eg.tokenInput('input_ids');
  const attentionMask = eg.tokenInput('attention_mask');

  const table = eg.tensor('embeddings.tok_embeddings.weight', [shape.vocab, shape.hidden]);
  let x = norm(eg, shape, 'embeddings.norm', g.op('Gather', [table, inputIds], { axis: 0 }));

  const seqLen = g.op('Slice', [g.op('Shape', [inputIds]), g.ints([1]), g.ints([2])]);
  const context = layerContexts(eg, shape, seqLen, attentionMask);
  for (let layer = 0; layer < shape.layerTypes.length; layer++) {
    x = encoderLayer(eg, shape, layer, x, context(shape.layerTypes[layer]));
  }
  return eg.finish(norm(eg, shape, 'final_norm', x), shape.hidden);
}

/** Reads and checks config.json, accepting both the transformers 5 keys and the older ones. */
export function modernBertShape(config: Record<string, unknown>, source: string): ModernBertShape {
  const hidden = configInt(config, 'hidden_size', source);
  const heads = configInt(config, 'num_attention_heads', source);
  const layers = configInt(config, 'num_hidden_layers', source);
  return {
    vocab: configInt(config, 'vocab_size', source),
    hidden,
    heads,
    headDim: headSize(hidden, heads, source),
    intermediate: configInt(config, 'intermediate_size', source),
    maxPositions: configInt(config, 'max_position_embeddings', source, 8192),
    localAttention: configInt(config, 'local_attention', source, 128),
    layerTypes: layerTypes(config, layers, source),
    ropeTheta: { full_attention: ropeTheta(config, 'full_attention', source), sliding_attention: ropeTheta(config, 'sliding_attention', source) },
    normEps: configNumber(config, 'norm_eps', source, 1e-5),
    normBias: config.norm_bias === true,
    attentionBias: config.attention_bias === true,
    mlpBias: config.mlp_bias === true,
    activation: typeof config.hidden_activation === 'string' ? config.hidden_activation : 'gelu',
  };
}

/**
 * `layer_types` where the config has it (transformers 5); otherwise older configs' rule: a layer is global
 * when `layer % global_attn_every_n_layers == 0` (default 3).
 */
function layerTypes(config: Record<string, unknown>, layers: number, source: string): LayerType[] {
  const listed = config.layer_types;
  if (listed === undefined || listed === null) {
    const every = configInt(config, 'global_attn_every_n_layers', source, 3);
    return Array.from({ length: layers }, (_, i) => (i % every === 0 ? 'full_attention' : 'sliding_attention'));
  }
  const valid = Array.isArray(listed) && listed.length === layers && listed.every((t) => t === 'full_attention' || t === 'sliding_attention');
  if (!valid) {
    throw new ModelFolderError(source, 'config.json', `layer_types must list "full_attention" or "sliding_attention" for each of the ${layers} layers, found ${JSON.stringify(listed)}`);
  }
  return listed as LayerType[];
}

/**
 * A layer type's RoPE theta: `rope_parameters[type].rope_theta` (transformers 5), else `global_rope_theta` /
 * `local_rope_theta` (older configs; a null local theta meant the global one), else transformers' default.
 * Only the default RoPE is built: scaled variants change the frequencies.
 */
function ropeTheta(config: Record<string, unknown>, type: LayerType, source: string): number {
  const parameters = (config.rope_parameters as Record<string, Record<string, unknown> | undefined> | undefined)?.[type];
  // Older configs' `rope_scaling` is merged into both layer types' parameters by transformers.
  const scaling = config.rope_scaling as Record<string, unknown> | null | undefined;
  const ropeType = parameters?.rope_type ?? scaling?.rope_type ?? scaling?.type ?? 'default';
  if (ropeType !== 'default') {
    throw new ModelFolderError(source, 'config.json', `rope_type "${String(ropeType)}" (${type}) is not built by the lab (only "default" RoPE)`);
  }
  if (parameters?.rope_theta !== undefined) return configNumber(parameters, 'rope_theta', source);
  const global = configNumber(config, 'global_rope_theta', source, DEFAULT_THETA.full_attention);
  if (type === 'full_attention') return global;
  if (config.local_rope_theta === null) return global;
  return configNumber(config, 'local_rope_theta', source, DEFAULT_THETA.sliding_attention);
}

/** Every tensor the graph reads, for one up-front check. */
function modernBertTensorNames(shape: ModernBertShape): string[] {
  const names = ['embeddings.tok_embeddings.weight', ...normNames(shape, 'embeddings.norm')];
  shape.layerTypes.forEach((_, layer) => {
    const p = `layers.${layer}`;
    if (layer > 0) names.push(...normNames(shape, `${p}.attn_norm`));
    names.push(...linearNames(`${p}.attn.Wqkv`, shape.attentionBias), ...linearNames(`${p}.attn.Wo`, shape.attentionBias));
    names.push(...normNames(shape, `${p}.mlp_norm`), ...linearNames(`${p}.mlp.Wi`, shape.mlpBias), ...linearNames(`${p}.mlp.Wo`, shape.mlpBias));
  });
  names.push(...normNames(shape, 'final_norm'));
  return names;
}

function normNames(shape: ModernBertShape, prefix: string): string[] {
  return shape.normBias ? [`${prefix}.weight`, `${prefix}.bias`] : [`${prefix}.weight`];
}

function linearNames(prefix: string, bias: boolean): string[] {
  return bias ? [`${prefix}.weight`, `${prefix}.bias`] : [`${prefix}.weight`];
}

/** The file a missing-tensor message names: the checkpoint's (first) safetensors file. */
function checkpointFile(weights: Weights): string {
  return weights.names.length > 0 ? weights.fileOf(weights.names[0]) : 'model.safetensors';
}

function norm(eg: EncoderGraph, shape: ModernBertShape, prefix: string, x: string): string {
  return eg.layerNorm(x, `${prefix}.weight`, shape.normBias ? `${prefix}.bias` : null, shape.hidden, shape.normEps);
}

function linear(eg: EncoderGraph, x: string, prefix: string, bias: boolean, inDim: number, outDim: number): string {
  return eg.linear(x, `${prefix}.weight`, bias ? `${prefix}.bias` : null, inDim, outDim);
}

/** What a layer of one type needs besides its weights: its RoPE tables sliced to the sequence, its mask. */
interface LayerContext {
  cos: string;
  sin: string;
  bias: string;
}

/** Builds each layer type's tables and mask once, on first use, so a graph holds only what its layers use. */
function layerContexts(eg: EncoderGraph, shape: ModernBertShape, seqLen: string, attentionMask: string): (type: LayerType) => LayerContext {
  const padding = eg.paddingBias(attentionMask);
  const built = new Map<LayerType, LayerContext>();
  return (type) => {
    let context = built.get(type);
    if (!context) {
      const tables = rotaryTables(shape.ropeTheta[type], shape.headDim, shape.maxPositions);
      const bias = type === 'sliding_attention' ? slidingWindowBias(eg, shape.maxPositions, Math.floor(shape.localAttention / 2), seqLen, padding) : padding;
      context = {
        cos: sliceRows(eg, eg.g.floatWeight(`rope.${type}.cos`, [shape.maxPositions, shape.headDim], () => tables.cos), seqLen),
        sin: sliceRows(eg, eg.g.floatWeight(`rope.${type}.sin`, [shape.maxPositions, shape.headDim], () => tables.sin), seqLen),
        bias,
      };
      built.set(type, context);
    }
    return context;
  };
}

/** The first `seqLen` rows of a `[maxPositions, …]` table. */
function sliceRows(eg: EncoderGraph, table: string, seqLen: string): string {
  return eg.g.op('Slice', [table, eg.g.ints([0]), seqLen, eg.g.ints([0])]);
}

/**
 * RoPE's cos and sin, `[maxPositions, headDim]` row-major, rounded to float32 at each step as torch computes
 * them: `inv_freq = 1 / theta^(arange(0, d, 2) / d)`, `freqs = position · inv_freq`, duplicated across both
 * halves (`cat(freqs, freqs)`), then cos and sin. `inv_freq` and the angles match torch bit for bit; cos and
 * sin here are correctly rounded, torch's vectorised float32 ones are not always (≈5 % of entries differ by
 * one ulp, ≤ 6e-8 — measured for head sizes 8 and 64).
 */
export function rotaryTables(theta: number, headDim: number, maxPositions: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const f = Math.fround;
  const invFreq = Array.from({ length: half }, (_, i) => f(1 / f(Math.pow(f(theta), f((2 * i) / headDim)))));
  const cos = new Float32Array(maxPositions * headDim);
  const sin = new Float32Array(maxPositions * headDim);
  for (let position = 0; position < maxPositions; position++) {
    for (let i = 0; i < half; i++) {
      const angle = f(position * invFreq[i]);
      const row = position * headDim;
      cos[row + i] = cos[row + half + i] = Math.cos(angle);
      sin[row + i] = sin[row + half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * A sliding layer's attention bias, `[batch, 1, seq, seq]`: the padding bias where `|i − j| ≤ halfWindow`,
 * float32's lowest value outside the window. transformers ANDs the two boolean masks, so a key that is both
 * padding and outside the window is masked once — never `2·min`, which would overflow to −∞ and turn rows
 * with no visible key (padding far from any token) into NaN.
 */
export function slidingWindowBias(eg: EncoderGraph, maxPositions: number, halfWindow: number, seqLen: string, padding: string): string {
  const g = eg.g;
  const positions = sliceRows(eg, g.floatWeight(`positions_${maxPositions}`, [maxPositions], () => Float32Array.from({ length: maxPositions }, (_, i) => i)), seqLen);
  const distance = g.op('Abs', [g.op('Sub', [g.op('Unsqueeze', [positions, g.ints([1])]), g.op('Unsqueeze', [positions, g.ints([0])])])]);
  const outside = g.op('Less', [g.floats([halfWindow]), distance]);
  return g.op('Where', [outside, g.floats([MASKED_SCORE]), padding]);
}

/** `x·cos + rotate_half(x)·sin` with `rotate_half(x) = cat(−x₂, x₁)` over the last axis (`[batch, heads, seq, d]`). */
function applyRotary(eg: EncoderGraph, x: string, headDim: number, context: LayerContext): string {
  const g = eg.g;
  const [first, second] = g.opMulti('Split', [x, g.ints([headDim / 2, headDim / 2])], 2, { axis: -1 });
  const rotated = g.op('Concat', [g.op('Neg', [second]), first], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, context.cos]), g.op('Mul', [rotated, context.sin])]);
}

function encoderLayer(eg: EncoderGraph, shape: ModernBertShape, layer: number, x: string, context: LayerContext): string {
  const g = eg.g;
  const p = `layers.${layer}`;
  const { hidden, heads, headDim } = shape;
  // Layer 0's attn_norm is nn.Identity: the embeddings' norm has just run.
  const attnInput = layer === 0 ? x : norm(eg, shape, `${p}.attn_norm`, x);
  const qkv = linear(eg, attnInput, `${p}.attn.Wqkv`, shape.attentionBias, hidden, 3 * hidden);
  // `view(..., 3, heads, headDim)`: queries, keys and values are consecutive blocks of `hidden`.
  const [q, k, v] = g.opMulti('Split', [qkv, g.ints([hidden, hidden, hidden])], 3, { axis: -1 });
  const queries = applyRotary(eg, eg.splitHeads(q, heads, headDim), headDim, context);
  const keys = applyRotary(eg, eg.splitHeads(k, heads, headDim), headDim, context);
  const keysT = g.op('Transpose', [keys], { perm: [0, 1, 3, 2] });
  const attended = eg.attention(queries, keysT, eg.splitHeads(v, heads, headDim), headDim, [context.bias]);
  x = g.op('Add', [x, linear(eg, eg.mergeHeads(attended, hidden), `${p}.attn.Wo`, shape.attentionBias, hidden, hidden)]);

  const wi = linear(eg, norm(eg, shape, `${p}.mlp_norm`, x), `${p}.mlp.Wi`, shape.mlpBias, hidden, 2 * shape.intermediate);
  const [input, gate] = g.opMulti('Split', [wi, g.ints([shape.intermediate, shape.intermediate])], 2, { axis: -1 });
  const glu = g.op('Mul', [eg.activation(input, shape.activation), gate]);
  return g.op('Add', [x, linear(eg, glu, `${p}.mlp.Wo`, shape.mlpBias, shape.intermediate, hidden)]);
}
