import { topKCpuSync } from '../kernels/topk/topk.cpu.ts';
import type { LabelledEmbeddings } from './labelled.ts';

export interface NeighborCoherence {
  k: number;
  /** Mean share of each point's k nearest neighbours (cosine, itself excluded) that carry its label. */
  mean: number;
  perLabel: Record<string, number>;
  /** What random neighbours would give: Σ p_c² over the label shares p_c. */
  chance: number;
}

/**
 * Neighbour coherence NC@k. Neighbours come from the same top-k kernel as retrieval (ties: lower index
 * first); the point itself is dropped by index, so exact duplicates still count as neighbours.
 */
export function neighborCoherence(data: LabelledEmbeddings, k = 10): NeighborCoherence {
  const { vectors, dim, count, labelOf, labels, sizes } = data;
  if (count < 2) throw new RangeError('neighbour coherence needs at least two points');
  const depth = Math.min(k + 1, count);
  const { indices, k: found } = topKCpuSync({ queries: vectors, docs: vectors, dim, k: depth });
  const perPoint = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let same = 0;
    let taken = 0;
    for (let r = 0; r < found && taken < k; r++) {
      const j = indices[i * found + r];
      if (j === i) continue;
      taken++;
      if (labelOf[j] === labelOf[i]) same++;
    }
    perPoint[i] = taken ? same / taken : 0;
  }
  const perLabelSum = new Float64Array(labels.length);
  perPoint.forEach((v, i) => (perLabelSum[labelOf[i]] += v));
  const perLabel = Object.fromEntries(labels.map((name, l) => [name, perLabelSum[l] / sizes[l]]));
  let chance = 0;
  for (const size of sizes) chance += (size / count) ** 2;
  return { k, mean: perPoint.reduce((s, v) => s + v, 0) / count, perLabel, chance };
}
