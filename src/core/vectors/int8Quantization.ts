/**
 * Scalar int8 quantization as sentence-transformers' `quantize_embeddings(…, precision="int8")` does it:
 * per-dimension ranges [min, max] calibrated on a set of embeddings (the corpus here), 256 buckets of
 * width (max − min) / 255, and `int8(trunc((x − min) / step − 128))`.
 */
export interface Int8Ranges {
  starts: Float32Array;
  steps: Float32Array;
}

/** Per-dimension min and max of the calibration rows (the documents, as sentence-transformers recommends). */
export function calibrateInt8(rows: Float32Array, dim: number): Int8Ranges {
  const min = new Float32Array(dim).fill(Infinity);
  const max = new Float32Array(dim).fill(-Infinity);
  for (let i = 0; i < rows.length; i += dim) {
    for (let j = 0; j < dim; j++) {
      const x = rows[i + j];
      if (x < min[j]) min[j] = x;
      if (x > max[j]) max[j] = x;
    }
  }
  const steps = new Float32Array(dim);
  // float32 arithmetic, as NumPy computes it on float32 embeddings.
  for (let j = 0; j < dim; j++) steps[j] = Math.fround(Math.fround(max[j] - min[j]) / 255);
  return { starts: min, steps };
}

/**
 * Rows quantized with `ranges`. Values beyond the calibrated range (a query can hold them) are clamped to
 * [−128, 127], where NumPy's cast would wrap around; within it the result is NumPy's, truncation toward zero.
 */
export function quantizeInt8(rows: Float32Array, dim: number, { starts, steps }: Int8Ranges): Int8Array {
  const out = new Int8Array(rows.length);
  for (let i = 0; i < rows.length; i += dim) {
    for (let j = 0; j < dim; j++) {
      const step = steps[j];
      // A constant dimension (step 0): NumPy gives NaN → 0 after the cast; every row holds the same there.
      const scaled = step > 0 ? Math.fround(Math.fround(Math.fround(rows[i + j] - starts[j]) / step) - 128) : 0;
      out[i + j] = Math.max(-128, Math.min(127, Math.trunc(scaled)));
    }
  }
  return out;
}
