import { topKOverRows } from '../kernels/topk/topKOverRows.ts';
import type { DiagnosticKernels } from './kernels.ts';
import { subset, type LabelledEmbeddings } from './labelled.ts';
import { DIAGNOSTICS_SEED, meanAndStandardError, seededSample } from './sample.ts';

export interface NeighborCoherence {
  k: number;
  /** Mean share of each point's k nearest neighbours (cosine, itself excluded) that carry its label. */
  mean: number;
  perLabel: Record<string, number>;
  /** What random neighbours would give: Σ p_c² over the label shares p_c. */
  chance: number;
  /** Points whose neighbours were counted: all, or a seeded sample (neighbours still found among all). */
  points: number;
  /** On a sample: sd of the per-point shares ÷ √points; null when exact. */
  standardError: number | null;
}

/**
 * Neighbour coherence NC@k. Neighbours come from the retrieval top-k kernel (ties: lower index first) run
 * with every point as a query over all points; the point itself is dropped by index, so exact duplicates
 * still count as neighbours. Above the kernels' exact limit, a seeded sample of points is scored, each
 * against every point: the per-point shares stay exact, only their mean is estimated.
 */
export async function neighborCoherence(data: LabelledEmbeddings, kernels: DiagnosticKernels, k = 10, seed = DIAGNOSTICS_SEED): Promise<NeighborCoherence> {
  const { vectors, dim, count, labelOf, labels, sizes } = data;
  if (count < 2) throw new RangeError('neighbour coherence needs at least two points');
  const sampled = count > kernels.exactLimit;
  const points = sampled ? seededSample(count, kernels.exactLimit, seed) : Int32Array.from({ length: count }, (_, i) => i);
  const queries = sampled ? subset(data, points).vectors : vectors;
  const depth = Math.min(k + 1, count);
  const { indices, k: found } = await topKOverRows(kernels.topK, queries, vectors, dim, depth);
  const perPoint = new Float64Array(points.length);
  const perLabelSum = new Float64Array(labels.length);
  const perLabelCount = new Int32Array(labels.length);
  points.forEach((i, p) => {
    let same = 0;
    let taken = 0;
    for (let r = 0; r < found && taken < k; r++) {
      const j = indices[p * found + r];
      if (j === i) continue;
      taken++;
      if (labelOf[j] === labelOf[i]) same++;
    }
    perPoint[p] = taken ? same / taken : 0;
    perLabelSum[labelOf[i]] += perPoint[p];
    perLabelCount[labelOf[i]]++;
  });
  const perLabel: Record<string, number> = {};
  labels.forEach((name, l) => {
    if (perLabelCount[l] > 0) perLabel[name] = perLabelSum[l] / perLabelCount[l];
  });
  let chance = 0;
  for (const size of sizes) chance += (size / count) ** 2;
  const { mean, standardError } = meanAndStandardError(perPoint);
  return { k, mean, perLabel, chance, points: points.length, standardError: sampled ? standardError : null };
}
