/**
 * L2-normalises each `dim`-long row in place, like `torch.nn.functional.normalize` (eps 1e-12): a zero row
 * stays zero rather than becoming NaN. Cosine similarity is the dot product of rows normalised this way.
 */
export function normalizeRows(vectors: Float32Array, dim: number): void {
  for (let base = 0; base < vectors.length; base += dim) {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += vectors[base + j] * vectors[base + j];
    const inv = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let j = 0; j < dim; j++) vectors[base + j] *= inv;
  }
}
