import { dot, type LabelledEmbeddings } from './labelled.ts';

export interface SilhouetteResult {
  /** Mean silhouette over the points, as `sklearn.metrics.silhouette_score(X, labels, metric="cosine")`. */
  score: number;
  /** Mean silhouette of each label's points. */
  perLabel: Record<string, number>;
  /** Points the score was computed on: all of them, or the seeded sample. */
  points: number;
}

/**
 * Silhouette with cosine distance δ = 1 − cos: for point i of label c, a(i) is its mean δ to the other
 * points of c, b(i) the smallest mean δ to the points of another label, s(i) = (b − a) / max(a, b), and 0
 * for a point alone in its label (sklearn's convention). Exact over all pairs of the given points:
 * O(n² · dim) multiply-adds, one pass over the pairs accumulating distance sums per (point, label).
 */
export function silhouette(data: LabelledEmbeddings, points?: Int32Array): SilhouetteResult {
  const { vectors, dim, labelOf, labels } = data;
  const rows = points ?? Int32Array.from({ length: data.count }, (_, i) => i);
  const n = rows.length;
  const labelCount = labels.length;
  if (labelCount < 2) throw new RangeError('silhouette needs at least two labels');
  const sizes = new Int32Array(labelCount);
  for (const i of rows) sizes[labelOf[i]]++;
  // sums[p * labelCount + l]: Σ δ from point p to the points of label l.
  const sums = new Float64Array(n * labelCount);
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      const distance = 1 - dot(vectors, rows[p], rows[q], dim);
      sums[p * labelCount + labelOf[rows[q]]] += distance;
      sums[q * labelCount + labelOf[rows[p]]] += distance;
    }
  }
  const values = new Float64Array(n);
  const perLabelSum = new Float64Array(labelCount);
  for (let p = 0; p < n; p++) {
    const own = labelOf[rows[p]];
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
  return { score: values.reduce((s, v) => s + v, 0) / n, perLabel, points: n };
}
