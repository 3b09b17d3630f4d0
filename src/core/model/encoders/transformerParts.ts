/**
 * The pieces every encoder family is made of, as ONNX nodes in the shape exporters give them (MatMul + Add
 * with the weight transposed once at build time, LayerNormalization, Softmax attention), so onnxruntime's
 * graph optimisations fuse them as they fuse an exported graph. Opset 17: LayerNormalization exists and
 * the WebGPU execution provider implements every op used here.
 */
import { ModelFolderError } from '../modelSource.ts';
import type { WeightTensor, Weights } from '../weights.ts';
import { ONNX_FLOAT, ONNX_INT32, ONNX_INT64 } from '../../onnx/onnxProto.ts';
import { GraphBuilder, type SerializedModel } from '../../onnx/graphBuilder.ts';

export const ENCODER_OPSET = 17;

/** float32's lowest value: what transformers adds to masked attention scores (`torch.finfo(dtype).min`). */
export const MASKED_SCORE = -3.4028234663852886e38;

/** A graph under construction together with the checkpoint it reads from. */
export class EncoderGraph {
  readonly g: GraphBuilder;

  constructor(
    readonly weights: Weights,
    readonly family: string,
    name: string,
  ) {
    this.g = new GraphBuilder(name);
  }

  /** Token inputs as exporters name them: int64 `[batch_size, sequence_length]`. */
  tokenInput(name: 'input_ids' | 'attention_mask' | 'token_type_ids'): string {
    return this.g.input({ name, elemType: ONNX_INT64, shape: ['batch_size', 'sequence_length'] });
  }

  /** `last_hidden_state`, float32 `[batch_size, sequence_length, hidden]`. */
  finish(hiddenState: string, hidden: number): SerializedModel {
    this.g.output(hiddenState, { name: 'last_hidden_state', elemType: ONNX_FLOAT, shape: ['batch_size', 'sequence_length', hidden] });
    return this.g.serialized(ENCODER_OPSET);
  }

  /** A tensor taken as it is stored (embedding tables, LayerNorm parameters), its shape checked first. */
  tensor(name: string, dims: readonly number[]): string {
    expectDims(this.weights, name, dims);
    return this.g.floatWeight(name, dims, () => this.weights.float32(name).data);
  }

  /**
   * `x · Wᵀ + b` for a PyTorch Linear (`weight [out, in]`, `bias [out]` unless `bias` is null): the weight is
   * written transposed (`[in, out]`), as torch.onnx.export writes it for MatMul.
   */
  linear(x: string, weight: string, bias: string | null, inDim: number, outDim: number): string {
    expectDims(this.weights, weight, [outDim, inDim]);
    const w = this.g.floatWeight(`${weight}.T`, [inDim, outDim], () => transpose(this.weights.float32(weight), outDim, inDim));
    const product = this.g.op('MatMul', [x, w]);
    return bias === null ? product : this.g.op('Add', [product, this.tensor(bias, [outDim])]);
  }

  /** LayerNorm over the last axis; `bias` null for ModernBERT's bias-free norms (a zero bias is written). */
  layerNorm(x: string, weight: string, bias: string | null, hidden: number, epsilon: number): string {
    const beta = bias === null ? this.g.floatWeight(`${weight}.zero_bias`, [hidden], () => new Float32Array(hidden)) : this.tensor(bias, [hidden]);
    return this.g.op('LayerNormalization', [x, this.tensor(weight, [hidden]), beta], { axis: -1, epsilon: { float: epsilon } });
  }

  /** An activation by its transformers name (ACT2FN); exact forms only. */
  activation(x: string, name: string): string {
    const g = this.g;
    switch (name) {
      case 'gelu':
        // x · ½ · (1 + erf(x / √2)): the exact GELU (opset 17 has no Gelu op). Div by √2, as exporters write
        // it: onnxruntime's GeluFusion matches that form only (a Mul by 1/√2 stays six unfused ops).
        return g.op('Mul', [g.op('Mul', [x, g.floats([0.5])]), g.op('Add', [g.op('Erf', [g.op('Div', [x, g.floats([Math.SQRT2])])]), g.floats([1])])]);
      case 'gelu_new':
      case 'gelu_pytorch_tanh':
      case 'gelu_fast': {
        // ½x(1 + tanh(√(2/π)(x + 0.044715x³))): transformers' NewGELUActivation / PytorchGELUTanh.
        const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
        const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.floats([0.044715])])]), g.floats([Math.sqrt(2 / Math.PI)])]);
        return g.op('Mul', [g.op('Mul', [x, g.floats([0.5])]), g.op('Add', [g.op('Tanh', [inner]), g.floats([1])])]);
      }
      case 'relu':
        return g.op('Relu', [x]);
      case 'silu':
      case 'swish':
        return g.op('Mul', [x, g.op('Sigmoid', [x])]);
      case 'tanh':
        return g.op('Tanh', [x]);
      default:
        throw new ModelFolderError(this.weights.source, 'config.json', `activation "${name}" is not one the lab builds (gelu, gelu_new, gelu_pytorch_tanh, relu, silu, tanh)`);
    }
  }

  /**
   * Additive attention bias from `attention_mask`, `[batch, 1, 1, seq]`: 0 where a token is, float32's
   * lowest value where padding is — `(1 − mask) · finfo.min`, as transformers builds it.
   */
  paddingBias(attentionMask: string): string {
    const g = this.g;
    const mask = g.op('Unsqueeze', [g.op('Cast', [attentionMask], { to: ONNX_FLOAT }), g.ints([1, 2])]);
    return g.op('Mul', [g.op('Sub', [g.floats([1]), mask]), g.floats([MASKED_SCORE])]);
  }

  /** `[batch, seq, heads·headDim]` → `[batch, heads, seq, headDim]` (or `[batch, heads, headDim, seq]` with `keys`). */
  splitHeads(x: string, heads: number, headDim: number, keys = false): string {
    const reshaped = this.g.op('Reshape', [x, this.g.ints([0, 0, heads, headDim])]);
    return this.g.op('Transpose', [reshaped], { perm: keys ? [0, 2, 3, 1] : [0, 2, 1, 3] });
  }

  /** `[batch, heads, seq, headDim]` → `[batch, seq, heads·headDim]`. */
  mergeHeads(x: string, hidden: number): string {
    return this.g.op('Reshape', [this.g.op('Transpose', [x], { perm: [0, 2, 1, 3] }), this.g.ints([0, 0, hidden])]);
  }

  /**
   * Scaled dot-product attention over split heads: softmax(q·kᵀ/√d + biases) · v. `q` and `v` are
   * `[batch, heads, seq, d]`, `kT` is `[batch, heads, d, seq]`; `biases` are added to the scores in order.
   */
  attention(q: string, kT: string, v: string, headDim: number, biases: readonly string[]): string {
    const g = this.g;
    let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.floats([1 / Math.sqrt(headDim)])]);
    for (const bias of biases) scores = g.op('Add', [scores, bias]);
    return g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
  }
}

/** Throws when a tensor's stored shape is not the one config.json implies. */
export function expectDims(weights: Weights, name: string, dims: readonly number[]): void {
  const actual = weights.dims(name);
  if (actual.length !== dims.length || actual.some((d, i) => d !== dims[i])) {
    throw new ModelFolderError(
      weights.source,
      weights.fileOf(name),
      `tensor ${name} has shape [${actual.join(', ')}] but config.json implies [${dims.join(', ')}]`,
    );
  }
}

/**
 * Checks up front that the family's tensors are all there; the message lists the first five missing and
 * what the family expected, so a checkpoint of another architecture is recognised at once.
 */
export function requireTensors(weights: Weights, family: string, names: readonly string[], file: string): void {
  const missing = names.filter((name) => !weights.has(name));
  if (missing.length === 0) return;
  const shown = missing.slice(0, 5).join(', ');
  throw new ModelFolderError(
    weights.source,
    file,
    `lacks ${missing.length} tensor${missing.length === 1 ? '' : 's'} a ${family} model needs (${shown}${missing.length > 5 ? ', …' : ''}); ` +
      `it holds ${weights.names.length} tensors, e.g. ${weights.names.slice(0, 3).join(', ')}`,
  );
}

/** `[rows, cols]` → `[cols, rows]`. */
export function transpose(tensor: WeightTensor, rows: number, cols: number): Float32Array {
  const { data } = tensor;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}

/** A config.json number that must be a positive integer. */
export function configInt(config: Record<string, unknown>, key: string, source: string, fallback?: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ModelFolderError(source, 'config.json', `${key} must be a positive integer, found ${JSON.stringify(config[key])}`);
  }
  return value;
}

/** A config.json number (epsilons, theta). */
export function configNumber(config: Record<string, unknown>, key: string, source: string, fallback?: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelFolderError(source, 'config.json', `${key} must be a number, found ${JSON.stringify(config[key])}`);
  }
  return value;
}

/** `hidden / heads`, refusing sizes that do not divide. */
export function headSize(hidden: number, heads: number, source: string, keys = 'hidden_size / num_attention_heads'): number {
  if (hidden % heads !== 0) throw new ModelFolderError(source, 'config.json', `${keys}: ${hidden} is not divisible by ${heads} heads`);
  return hidden / heads;
}

/** The three projections of one self-attention, by prefix: each has `<prefix>.weight` `[hidden, hidden]` and `<prefix>.bias`. */
export interface QkvPrefixes {
  query: string;
  key: string;
  value: string;
}

/**
 * Multi-head self-attention with biased q/k/v projections, heads merged back to `[batch, seq, hidden]`
 * before the output projection (BERT's `BertSelfAttention`, DistilBERT's `q_lin`/`k_lin`/`v_lin`).
 * `biases` are added to the scores in order (the padding bias, a relative-position bias). `headDim` is the
 * family's {@link headSize}, checked with its own config keys.
 */
export function selfAttention(e: EncoderGraph, x: string, prefixes: QkvPrefixes, hidden: number, headDim: number, biases: readonly string[]): string {
  const heads = hidden / headDim;
  const project = (prefix: string, keys = false) =>
    e.splitHeads(e.linear(x, `${prefix}.weight`, `${prefix}.bias`, hidden, hidden), heads, headDim, keys);
  const context = e.attention(project(prefixes.query), project(prefixes.key, true), project(prefixes.value), headDim, biases);
  return e.mergeHeads(context, hidden);
}

/** `LayerNorm(x + residual)`: the post-norm residual step of BERT-like layers (`<prefix>.weight`, `<prefix>.bias`). */
export function addAndNorm(e: EncoderGraph, x: string, residual: string, prefix: string, hidden: number, epsilon: number): string {
  return e.layerNorm(e.g.op('Add', [x, residual]), `${prefix}.weight`, `${prefix}.bias`, hidden, epsilon);
}

/** The file a missing-tensor message names: a sharded checkpoint's index, else its one file. */
export function checkpointFile(weights: Weights): string {
  const files = new Set(weights.names.map((name) => weights.fileOf(name)));
  return files.size > 1 ? 'model.safetensors.index.json' : ([...files][0] ?? 'model.safetensors');
}

/** Rows 0 … seq−1 of a position table (`[seq, hidden]`, broadcast over the batch): absolute positions. */
export function leadingRows(e: EncoderGraph, table: string, inputIds: string): string {
  const g = e.g;
  const seqLen = g.op('Shape', [inputIds], { start: 1, end: 2 });
  return g.op('Slice', [table, g.ints([0]), seqLen, g.ints([0])]);
}

/**
 * transformers' `create_position_ids_from_input_ids` (RoBERTa, XLM-R, CamemBERT, MPNet): int64
 * `cumsum(ids ≠ pad) · (ids ≠ pad) + pad`, so real tokens count from `pad + 1` and padding sits at `pad`.
 * Counted in float32 (exact below 2²⁴) because the WebGPU execution provider's CumSum takes floats only.
 */
export function paddingOffsetPositionIds(e: EncoderGraph, inputIds: string, padId: number): string {
  const g = e.g;
  const isPad = g.op('Cast', [g.op('Equal', [inputIds, g.ints([padId], [])])], { to: ONNX_FLOAT });
  const isToken = g.op('Sub', [g.floats([1]), isPad]);
  const counted = g.op('Mul', [g.op('CumSum', [isToken, g.ints([1], [])]), isToken]);
  // int32 indices: onnxruntime-web 1.30's WebGPU provider, given a Gather by `input_ids` and a second Gather
  // by a computed int64 tensor of the same shape, feeds the second one `input_ids` (wrong vectors, no error).
  return g.op('Cast', [g.op('Add', [counted, g.floats([padId])])], { to: ONNX_INT32 });
}
