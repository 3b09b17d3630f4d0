import { forEachBlock } from '../vectors/documentRows.ts';
import type { LabelledEmbeddings } from './labelled.ts';

/**
 * Pairwise separation ratio, mean cosine distance between points of different labels ÷ mean between points
 * of the same label (above 1: labels sit apart more than their members spread), from the distance sums by
 * label (`labelDistanceSums`). Each unordered pair is in the sums twice, once per end, and so in the counts.
 */
export function pairwiseSeparation({ count, labelOf, labels, sizes }: LabelledEmbeddings, sums: Float64Array): number {
  const labelCount = labels.length;
  let intra = 0;
  let inter = 0;
  for (let p = 0; p < count; p++) {
    for (let l = 0; l < labelCount; l++) {
      if (l === labelOf[p]) intra += sums[p * labelCount + l];
      else inter += sums[p * labelCount + l];
    }
  }
  let intraPairs = 0;
  let interPairs = 0;
  for (const size of sizes) {
    intraPairs += size * (size - 1);
    interPairs += size * (count - size);
  }
  return intraPairs && interPairs ? inter / interPairs / (intra / intraPairs) : NaN;
}

/**
 * Centroid separation ratio: mean cosine distance between label centroids (pairs of labels) ÷ mean cosine
 * distance of points to their own label's centroid. O(n · dim), so always over every point.
 */
export function centroidSeparation(data: LabelledEmbeddings): number {
  const { vectors, dim, count, labelOf, labels } = data;
  const centroids = labelCentroids(data);
  const cosineDistance = (a: Float64Array, b: ArrayLike<number>, offset = 0) => {
    let d = 0, na = 0, nb = 0;
    for (let j = 0; j < dim; j++) {
      d += a[j] * b[offset + j];
      na += a[j] ** 2;
      nb += b[offset + j] ** 2;
    }
    return na > 0 && nb > 0 ? 1 - d / Math.sqrt(na * nb) : 1;
  };
  let between = 0;
  let betweenPairs = 0;
  for (let a = 0; a < labels.length; a++) {
    for (let b = a + 1; b < labels.length; b++) {
      between += cosineDistance(centroids[a], centroids[b]);
      betweenPairs++;
    }
  }
  let spread = 0;
  forEachBlock(vectors, dim, (block, first) => {
    for (let r = 0; r < block.length / dim; r++) spread += cosineDistance(centroids[labelOf[first + r]], block, r * dim);
  });
  return betweenPairs ? between / betweenPairs / (spread / count) : NaN;
}

/** Mean vector of each label's (unit) rows. */
function labelCentroids({ vectors, dim, labelOf, labels, sizes }: LabelledEmbeddings): Float64Array[] {
  const centroids = labels.map(() => new Float64Array(dim));
  forEachBlock(vectors, dim, (block, first) => {
    for (let r = 0; r < block.length / dim; r++) {
      const c = centroids[labelOf[first + r]];
      for (let j = 0; j < dim; j++) c[j] += block[r * dim + j];
    }
  });
  centroids.forEach((c, l) => c.forEach((_, j) => (c[j] /= sizes[l])));
  return centroids;
}

/**
 * Davies–Bouldin index with Euclidean distance on the unit vectors, as `sklearn.metrics.davies_bouldin_score`:
 * mean over labels of max over other labels of (S_a + S_b) / ‖c_a − c_b‖, S = mean distance to the centroid.
 * Lower is better.
 */
export function daviesBouldin(data: LabelledEmbeddings): number {
  const { vectors, dim, labelOf, labels } = data;
  const centroids = labelCentroids(data);
  const scatter = new Float64Array(labels.length);
  forEachBlock(vectors, dim, (block, first) => {
    for (let r = 0; r < block.length / dim; r++) {
      const c = centroids[labelOf[first + r]];
      let d = 0;
      for (let j = 0; j < dim; j++) d += (block[r * dim + j] - c[j]) ** 2;
      scatter[labelOf[first + r]] += Math.sqrt(d);
    }
  });
  scatter.forEach((s, l) => (scatter[l] = s / data.sizes[l]));
  let total = 0;
  for (let a = 0; a < labels.length; a++) {
    let worst = 0;
    for (let b = 0; b < labels.length; b++) {
      if (a === b) continue;
      let d = 0;
      for (let j = 0; j < dim; j++) d += (centroids[a][j] - centroids[b][j]) ** 2;
      const distance = Math.sqrt(d);
      // sklearn: a zero centroid distance gives an infinite ratio, which it maps to 0.
      const ratio = distance > 0 ? (scatter[a] + scatter[b]) / distance : 0;
      worst = Math.max(worst, ratio);
    }
    total += worst;
  }
  return total / labels.length;
}
