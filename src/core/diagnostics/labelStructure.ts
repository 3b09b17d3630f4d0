import { float32Rows } from '../vectors/documentRows.ts';
import type { DiagnosticKernels } from './kernels.ts';
import { subset, type LabelledEmbeddings } from './labelled.ts';
import { DIAGNOSTICS_SEED, seededSample } from './sample.ts';
import { pairwiseSeparation } from './separation.ts';
import { silhouetteFromSums, type SilhouetteResult } from './silhouette.ts';

export interface LabelStructure {
  silhouette: SilhouetteResult;
  /** Pairwise separation ratio over the same points as the silhouette. */
  separationRatio: number;
  /** The sample's seed when the points are a sample, else null. */
  sampleSeed: number | null;
}

/**
 * Silhouette and pairwise separation from one pass of the distance-sums kernel: exact over all points up to
 * the kernels' exact limit, above it over a seeded sample of that many points (as sklearn's `sample_size`).
 */
export async function labelStructure(data: LabelledEmbeddings, kernels: DiagnosticKernels, seed = DIAGNOSTICS_SEED): Promise<LabelStructure> {
  const sampled = data.count > kernels.exactLimit;
  const set = sampled ? subset(data, seededSample(data.count, kernels.exactLimit, seed)) : data;
  const { sums } = await kernels.labelDistanceSums({ vectors: float32Rows(set.vectors, set.dim), dim: set.dim, labelOf: set.labelOf, labelCount: set.labels.length });
  return {
    silhouette: silhouetteFromSums(set, sums, sampled),
    separationRatio: pairwiseSeparation(set, sums),
    sampleSeed: sampled ? seed : null,
  };
}
