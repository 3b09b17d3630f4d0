/**
 * Cosine-distance sums by label: for every point p and label l, Σ δ(p, q) over the other points q of label l,
 * with δ = 1 − x_p·x_q on unit rows. One O(n² · dim) pass gives everything silhouette and the pairwise
 * separation ratio need. Both twins (`labelDistances.cpu.ts`, `labelDistances.ts` on WebGPU) take and
 * return these shapes.
 */
export interface LabelDistanceInput {
  /** `[count × dim]`, row-major, L2-normalised rows. */
  vectors: Float32Array;
  dim: number;
  /** Label index of each row, in `[0, labelCount)`. */
  labelOf: Int32Array;
  labelCount: number;
}

export interface LabelDistanceSums {
  count: number;
  labelCount: number;
  /** `[count × labelCount]`: `sums[p · labelCount + l]` = Σ δ(p, q) over q ≠ p with label l. */
  sums: Float64Array;
}

export type LabelDistanceKernel = (input: LabelDistanceInput) => Promise<LabelDistanceSums>;

export function checkLabelDistanceInput({ vectors, dim, labelOf, labelCount }: LabelDistanceInput): number {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`label distances: dim must be a positive integer, got ${dim}`);
  if (vectors.length % dim !== 0) throw new RangeError(`label distances: ${vectors.length} values are not a multiple of dim ${dim}`);
  const count = vectors.length / dim;
  if (labelOf.length !== count) throw new RangeError(`label distances: ${labelOf.length} labels for ${count} rows`);
  for (const l of labelOf) if (l < 0 || l >= labelCount) throw new RangeError(`label distances: label index ${l} outside [0, ${labelCount})`);
  return count;
}
