import { normalizeRows } from '../kernels/pooling/pooling.cpu.ts';
import { effectiveRank } from './effectiveRank.ts';
import { alignment, anisotropy, uniformity } from './geometry.ts';
import { embeddingHealth, type EmbeddingHealth } from './health.ts';
import type { DiagnosticKernels } from './kernels.ts';
import { defaultClusterCount, sphericalKMeans } from './kmeans.ts';
import { gatherRows, withLabels } from './labelled.ts';
import { labelStructure } from './labelStructure.ts';
import { neighborCoherence } from './neighborCoherence.ts';
import { DIAGNOSTICS_SEED, seededSample } from './sample.ts';
import { scoreDistribution, scoreHistogram, tripletAccuracy, type ScoreHistogram } from './scoreDistribution.ts';
import { centroidSeparation, daviesBouldin } from './separation.ts';

/** Neighbours counted by neighbour coherence. */
export const COHERENCE_K = 10;
/** Uniformity is O(n²) on the CPU: above this many documents it is taken on a seeded sample of this size. */
export const UNIFORMITY_POINTS = 2000;

/** One model's embeddings of a dataset, with what the diagnostics need from the dataset. */
export interface DiagnosticsInput {
  /** `[documents × dim]` as the model produced them (health is read before any normalisation). */
  documents: Float32Array;
  dim: number;
  /** Label of each document, or undefined; documents without one are left out of the label diagnostics. */
  documentLabels?: readonly (string | undefined)[];
  /** Where the labels came from, e.g. the column name, for the report. */
  labelColumn?: string;
  /** `[queries × dim]`. */
  queries?: Float32Array;
  /** Flat (query row, document row) pairs judged relevant: alignment and positive scores. */
  relevantPairs?: Int32Array;
  /** Flat (query row, document row) pairs of non-relevant documents in each query's top results. */
  competingPairs?: Int32Array;
  /** (query row, positive document row, negative document row) triplets. */
  triplets?: readonly { query: number; positive: number; negative: number }[];
}

export interface DiagnosticsOptions {
  seed?: number;
  /** k-means clusters when there are no labels (default √(n/2), 2…50). */
  clusters?: number;
}

export type LabelSource =
  | { kind: 'column'; column: string | null; labels: number; points: number }
  | { kind: 'k-means'; k: number; seed: number; iterations: number; converged: boolean; points: number };

/**
 * The diagnostics of one model, keyed as the CLI's JSON names them; a key is null where the data cannot
 * give it (no queries for alignment, no triplets for triplet accuracy, fewer than two labels).
 */
export interface ModelDiagnostics {
  silhouette: number | null;
  silhouettePerLabel: Record<string, number> | null;
  'neighborCoherence@10': number | null;
  separationRatio: number | null;
  daviesBouldin: number | null;
  alignment: number | null;
  uniformity: number;
  anisotropy: number;
  effectiveRank: number;
  health: EmbeddingHealth;
  scoreGap: number | null;
  rocAuc: number | null;
  tripletAccuracy: number | null;
  details: DiagnosticsDetails;
}

export interface DiagnosticsDetails {
  backend: 'webgpu' | 'cpu';
  labels: LabelSource | null;
  /** Points the silhouette and pairwise separation were computed on, and the sampling, if any. */
  silhouette: { points: number; standardError: number | null; sampleSeed: number | null } | null;
  neighborCoherence: { k: number; chance: number; perLabel: Record<string, number>; points: number; standardError: number | null } | null;
  separationRatio: { pairwise: number; centroid: number } | null;
  anisotropy: { meanPairwiseCosine: number; meanVectorNorm: number };
  uniformity: { points: number; sampleSeed: number | null };
  queryHealth: EmbeddingHealth | null;
  scores: { positives: { count: number; mean: number }; negatives: { count: number; mean: number }; histogram: ScoreHistogram } | null;
}

export async function diagnoseEmbeddings(input: DiagnosticsInput, kernels: DiagnosticKernels, options: DiagnosticsOptions = {}): Promise<ModelDiagnostics> {
  const { dim } = input;
  const seed = options.seed ?? DIAGNOSTICS_SEED;
  const unit = input.documents.slice();
  normalizeRows(unit, dim);
  const count = unit.length / dim;

  // Labels: the column's where at least two distinct ones exist, else k-means clusters of these embeddings.
  let labelled = null;
  let labelSource: LabelSource | null = null;
  const named = input.documentLabels ? distinctLabels(input.documentLabels) : [];
  if (named.length >= 2) {
    const rows = Int32Array.from(input.documentLabels!.flatMap((l, i) => (l === undefined ? [] : [i])));
    const index = new Map(named.map((name, i) => [name, i]));
    labelled = withLabels(gatherRows(unit, dim, rows), dim, Int32Array.from(rows, (row) => index.get(input.documentLabels![row]!)!), named);
    labelSource = { kind: 'column', column: input.labelColumn ?? null, labels: named.length, points: rows.length };
  } else if (count >= 4) {
    const k = Math.min(options.clusters ?? defaultClusterCount(count), count - 1);
    const clusters = sphericalKMeans(unit, dim, k, seed);
    labelled = withLabels(unit, dim, clusters.labelOf, Array.from({ length: k }, (_, c) => `cluster ${c + 1}`));
    labelSource = { kind: 'k-means', k, seed, iterations: clusters.iterations, converged: clusters.converged, points: count };
  }

  let structure = null;
  let coherence = null;
  if (labelled && labelled.sizes.filter((s) => s > 0).length >= 2) {
    structure = await labelStructure(labelled, kernels, seed);
    coherence = await neighborCoherence(labelled, kernels, COHERENCE_K, seed);
  }

  const uniformityRows = seededSample(count, UNIFORMITY_POINTS, seed);
  const uniformityVectors = uniformityRows.length === count ? unit : gatherRows(unit, dim, uniformityRows);
  const spread = anisotropy(unit, dim);

  const queries = input.queries ? input.queries.slice() : null;
  if (queries) normalizeRows(queries, dim);
  const cosine = (q: number, d: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += queries![q * dim + j] * unit[d * dim + j];
    return s;
  };
  const pairScores = (pairs: Int32Array) => Float64Array.from({ length: pairs.length / 2 }, (_, p) => cosine(pairs[2 * p], pairs[2 * p + 1]));
  const positives = queries && input.relevantPairs?.length ? pairScores(input.relevantPairs) : null;
  const negatives = queries && input.competingPairs?.length ? pairScores(input.competingPairs) : null;
  const scores = positives && negatives ? scoreDistribution(positives, negatives) : null;

  let alignmentValue = null;
  if (queries && input.relevantPairs?.length) {
    const pairs = input.relevantPairs;
    alignmentValue = alignment(gatherRows(queries, dim, evenEntries(pairs, 0)), gatherRows(unit, dim, evenEntries(pairs, 1)), dim);
  }
  let triplets = null;
  if (queries && input.triplets?.length) {
    triplets = tripletAccuracy(
      input.triplets.map((t) => cosine(t.query, t.positive)),
      input.triplets.map((t) => cosine(t.query, t.negative)),
    );
  }

  return {
    silhouette: structure?.silhouette.score ?? null,
    silhouettePerLabel: structure?.silhouette.perLabel ?? null,
    'neighborCoherence@10': coherence?.mean ?? null,
    separationRatio: structure?.separationRatio ?? null,
    daviesBouldin: labelled && structure ? daviesBouldin(labelled) : null,
    alignment: alignmentValue,
    uniformity: uniformity(uniformityVectors, dim),
    anisotropy: spread.meanPairwiseCosine,
    effectiveRank: effectiveRank(unit, dim).effectiveRank,
    health: embeddingHealth(input.documents, dim),
    scoreGap: scores?.gap ?? null,
    rocAuc: scores?.rocAuc ?? null,
    tripletAccuracy: triplets,
    details: {
      backend: kernels.backend,
      labels: labelSource,
      silhouette: structure ? { points: structure.silhouette.points, standardError: structure.silhouette.standardError, sampleSeed: structure.sampleSeed } : null,
      neighborCoherence: coherence
        ? { k: coherence.k, chance: coherence.chance, perLabel: coherence.perLabel, points: coherence.points, standardError: coherence.standardError }
        : null,
      separationRatio: structure && labelled ? { pairwise: structure.separationRatio, centroid: centroidSeparation(labelled) } : null,
      anisotropy: spread,
      uniformity: { points: uniformityRows.length, sampleSeed: uniformityRows.length < count ? seed : null },
      queryHealth: input.queries ? embeddingHealth(input.queries, dim) : null,
      scores: scores && positives && negatives
        ? { positives: scores.positives, negatives: scores.negatives, histogram: scoreHistogram(positives, negatives) }
        : null,
    },
  };
}

function distinctLabels(labels: readonly (string | undefined)[]): string[] {
  return [...new Set(labels.filter((l): l is string => l !== undefined))];
}

function evenEntries(pairs: Int32Array, offset: 0 | 1): Int32Array {
  return Int32Array.from({ length: pairs.length / 2 }, (_, p) => pairs[2 * p + offset]);
}
