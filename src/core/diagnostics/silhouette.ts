import type { LabelledEmbeddings } from './labelled.ts';
import { meanAndStandardError } from './sample.ts';

export interface SilhouetteResult {
  /** Mean silhouette over the points, as `sklearn.metrics.silhouette_score(X, labels, metric="cosine")`. */
  score: number;
  /** Mean silhouette of each label's points. */
  perLabel: Record<string, number>;
  /** Points the score was computed on: all of them, or the seeded sample. */
  points: number;
  /** On a sample: sd of the per-point silhouettes ÷ √points; null when exact. */
  standardError: number | null;
}

/**
 * Silhouette with cosine distance δ = 1 − cos, from the distance sums by label (`labelDistanceSums`): for
 * point i of label c, a(i) is its mean δ to the other points of c, b(i) the smallest mean δ to the points of
 * another label, s(i) = (b − a) / max(a, b), and 0 for a point alone in its label (sklearn's convention).
 * `sampled`: the set is a seeded sample of a larger one, as sklearn's `sample_size` takes it (silhouettes
 * within the sample), so a standard error is reported.
 */
export function silhouetteFromSums(data: LabelledEmbeddings, sums: Float64Array, sampled: boolean): SilhouetteResult {
  const { count: n, labelOf, labels, sizes } = data;
  const labelCount = labels.length;
  if (sizes.filter((s) => s > 0).length < 2) throw new RangeError('silhouette needs at least two labels');
  const values = new Float64Array(n);
  const perLabelSum = new Float64Array(labelCount);
  for (let p = 0; p < n; p++) {
    const own = labelOf[p];
    if (sizes[own] < 2) continue; // alone in its label: s = 0
    const a = sums[p * labelCount + own] / (sizes[own] - 1);
    let b = Infinity;
    for (let l = 0; l < labelCount; l++) if (l !== own && sizes[l] > 0) b = Math.min(b, sums[p * labelCount + l] / sizes[l]);
    const denominator = Math.max(a, b);
    values[p] = denominator > 0 ? (b - a) / denominator : 0;
    perLabelSum[own] += values[p];
  }
  const perLabel: Record<string, number> = {};
  labels.forEach((name, l) => {
    if (sizes[l] > 0) perLabel[name] = perLabelSum[l] / sizes[l];
  });
  const { mean, standardError } = meanAndStandardError(values);
  return { score: mean, perLabel, points: n, standardError: sampled ? standardError : null };
}
