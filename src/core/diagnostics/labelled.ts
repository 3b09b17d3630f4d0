import { gatherRows, type DocumentRows } from '../vectors/documentRows.ts';
import { normalizeRows } from '../vectors/normalize.ts';

/**
 * Embeddings with a label per row, prepared once for the diagnostics: rows L2-normalised (on a copy) so
 * that cosine similarity is a dot product and cosine distance is δ = 1 − cos, labels as small integers.
 * The rows may be float16 kept as such (a checkpoint's documents); consumers read them a block at a time.
 */
export interface LabelledEmbeddings {
  vectors: DocumentRows;
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
  const unit = vectors.slice();
  normalizeRows(unit, dim);
  return withLabels(unit, dim, Int32Array.from(labels, (l) => index.get(l)!), names);
}

/** The same, for rows already normalised and labels already indexed. */
export function withLabels(unitVectors: DocumentRows, dim: number, labelOf: Int32Array, labels: string[]): LabelledEmbeddings {
  const sizes = new Int32Array(labels.length);
  for (const l of labelOf) sizes[l]++;
  return { vectors: unitVectors, count: labelOf.length, dim, labelOf, labels, sizes };
}

/** The rows `points` of `data`, as a labelled set of their own (label indices and names kept). */
export function subset(data: LabelledEmbeddings, points: Int32Array): LabelledEmbeddings {
  if (points.length === data.count) return data;
  return withLabels(gatherRows(data.vectors, data.dim, points), data.dim, Int32Array.from(points, (row) => data.labelOf[row]), data.labels);
}

export function dot(v: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  const ia = a * dim;
  const ib = b * dim;
  for (let j = 0; j < dim; j++) s += v[ia + j] * v[ib + j];
  return s;
}
