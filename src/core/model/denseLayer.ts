import { DENSE_ACTIVATIONS, type DenseActivationName } from './denseActivation.ts';

/**
 * A sentence-transformers `Dense` module (`2_Dense/`): `activation(x·Wᵀ + b)`, plus `x` (or `x·Rᵀ`) when
 * it was saved with `use_residual` (sentence_transformers/base/modules/dense.py, `Dense.forward`).
 */
export interface DenseModule {
  kind: 'dense';
  /** The module's folder, as modules.json names it. */
  path: string;
  inFeatures: number;
  outFeatures: number;
  activation: DenseActivationName;
  /** `linear.weight`, row-major `[outFeatures × inFeatures]` (PyTorch's Linear layout). */
  weight: Float32Array;
  /** `linear.bias` `[outFeatures]`, or null when saved with `bias: false`. */
  bias: Float32Array | null;
  /** `use_residual`: null without; `'identity'` when in = out; else `residual.weight` `[out × in]`. */
  residual: null | 'identity' | Float32Array;
  /** The file the weights came from and its SHA-256, for the record of what ran (absent when built in memory). */
  weightsFile?: { file: string; sha256: string };
}

/**
 * `count` rows of `inFeatures` values → `count` rows of `outFeatures`. Each output sums in float64 and is
 * rounded to float32 once after the activation (torch sums in float32: the two agree to a few ulps).
 */
export function applyDense(rows: Float32Array, count: number, layer: DenseModule): Float32Array {
  const { inFeatures, outFeatures, weight, bias, residual } = layer;
  if (rows.length !== count * inFeatures) {
    throw new RangeError(`Dense ${layer.path}: expects ${inFeatures} values per row, got ${rows.length / Math.max(count, 1)}`);
  }
  const activate = DENSE_ACTIVATIONS[layer.activation];
  const out = new Float32Array(count * outFeatures);
  for (let row = 0; row < count; row++) {
    const x = row * inFeatures;
    for (let o = 0; o < outFeatures; o++) {
      let value = activate(Math.fround(dot(rows, x, weight, o * inFeatures, inFeatures) + (bias ? bias[o] : 0)));
      if (residual === 'identity') value += rows[x + o];
      else if (residual) value += dot(rows, x, residual, o * inFeatures, inFeatures);
      out[row * outFeatures + o] = value;
    }
  }
  return out;
}

function dot(a: Float32Array, aStart: number, b: Float32Array, bStart: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += a[aStart + i] * b[bStart + i];
  return sum;
}
