import { normalizeRows } from '../model/pooling.ts';

/**
 * Embeddings with a label per row, prepared once for the diagnostics: rows L2-normalised (on a copy) so
 * that cosine similarity is a dot product and cosine distance is δ = 1 − cos, labels as small integers.
 */
export interface LabelledEmbeddings {
  vectors: Float32Array;
  count: number;
  dim: number;
  /** Label index of each row, into `labels`. */
  labelOf: Int32Array;
  labels: string[];
  /** Rows per label. */
  sizes: Int32Array;
}

export function labelled(vectors: Float32Array, dim: number, labels: readonly string[]): LabelledEmbeddings {
  const count = vectors.length / dim;
  if (labels.length !== count) throw new RangeError(`${labels.length} labels for ${count} vectors`);
  const names = [...new Set(labels)];
  const index = new Map(names.map((name, i) => [name, i]));
  const labelOf = Int32Array.from(labels, (l) => index.get(l)!);
  const sizes = new Int32Array(names.length);
  for (const l of labelOf) sizes[l]++;
  const unit = vectors.slice();
  normalizeRows(unit, dim);
  return { vectors: unit, count, dim, labelOf, labels: names, sizes };
}

export function dot(v: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  const ia = a * dim;
  const ib = b * dim;
  for (let j = 0; j < dim; j++) s += v[ia + j] * v[ib + j];
  return s;
}
