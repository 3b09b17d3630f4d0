import { topKOverRows } from '../kernels/topk/topKOverRows.ts';
import { float32Rows, gatherRows, type DocumentRows } from '../vectors/documentRows.ts';
import { rowDot } from '../vectors/fullRank.ts';
import { corpusScores, type CorpusScores, type RelevantDocuments } from './corpusScores.ts';
import { effectiveRank } from './effectiveRank.ts';
import { alignment, anisotropy, uniformity } from './geometry.ts';
import type { EmbeddingHealth } from './health.ts';
import type { DiagnosticKernels } from './kernels.ts';
import { defaultClusterCount, sphericalKMeans } from './kmeans.ts';
import { withLabels } from './labelled.ts';
import { labelStructure } from './labelStructure.ts';
import { neighborCoherence } from './neighborCoherence.ts';
import { DIAGNOSTICS_SEED, seededSample } from './sample.ts';
import { scoreDistribution, scoreHistogram, tripletAccuracy, type ScoreHistogram } from './scoreDistribution.ts';
import { centroidSeparation, daviesBouldin } from './separation.ts';
import type { Rankings } from '../data/rankings.ts';

/** The hard negatives are the non-relevant documents among each query's first this many results. */
const HARD_NEGATIVE_DEPTH = 100;
/** Neighbours counted by neighbour coherence. */
const COHERENCE_K = 10;
/** Uniformity is O(n²) on the CPU: above this many documents it is taken on a seeded sample of this size. */
const UNIFORMITY_POINTS = 2000;
/**
 * Effective rank reads a d × d Gram matrix (n · d² multiply-adds) and k-means iterates over every point:
 * above this many documents both are fitted on a seeded sample of this size (k-means then assigns every
 * document to its nearest centroid through the top-k kernel).
 */
const FIT_POINTS = 10_000;

/** One model's embeddings of a dataset, with what the diagnostics need from the dataset and the ranking. */
export interface DiagnosticsInput {
  /**
   * `[documents × dim]`, rows L2-normalised (the comparison normalises each checkpoint's vectors once);
   * float16 documents stay so, and each step reads them a block or a sample at a time.
   */
  documents: DocumentRows;
  dim: number;
  /** Health of the documents as produced, read before normalisation. */
  documentHealth: EmbeddingHealth;
  /** Label of each document, or undefined; documents without one are left out of the label diagnostics. */
  documentLabels?: readonly (string | undefined)[];
  /** Where the labels came from, e.g. the column name, for the report. */
  labelColumn?: string;
  /** `[queries × dim]`, rows L2-normalised. */
  queries?: Float32Array;
  queryHealth?: EmbeddingHealth;
  /** Each evaluated query's relevant documents: alignment and the positive scores. */
  relevant?: RelevantDocuments;
  /** The checkpoint's ranking: the non-relevant documents of each list are the hard negatives. */
  rankings?: Rankings;
  /** (query row, positive document row, negative document row) triplets. */
  triplets?: readonly { query: number; positive: number; negative: number }[];
}

export interface DiagnosticsOptions {
  seed?: number;
  /** k-means clusters when there are no labels (default √(n/2), 2…50). */
  clusters?: number;
  /** Points k-means and the effective rank are fitted on at most (default {@link FIT_POINTS}). */
  fitPoints?: number;
}

export type LabelSource =
  | { kind: 'column'; column: string | null; labels: number; points: number }
  | { kind: 'k-means'; k: number; seed: number; iterations: number; converged: boolean; points: number; fittedOn: number };

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
  /** Mean cosine to relevant documents − mean cosine to every non-relevant document of the corpus. */
  scoreGap: number | null;
  /** Mean per-query ROC-AUC of relevant against every non-relevant document of the corpus. */
  rocAuc: number | null;
  /** ROC-AUC of relevant documents against the non-relevant documents of each query's top 100 only. */
  hardNegativeRocAuc: number | null;
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
  effectiveRank: { points: number; sampleSeed: number | null };
  queryHealth: EmbeddingHealth | null;
  /** Relevant documents against all non-relevant ones (the headline gap and AUC). */
  corpusScores: CorpusScores | null;
  /**
   * Relevant documents against the non-relevant documents of each query's top {@link HARD_NEGATIVE_DEPTH}
   * (`depth`: fewer where the lists are shorter) — the hardest negatives, so this AUC sits well below the
   * corpus one — with the histogram the page draws.
   */
  hardNegatives: { depth: number; positives: { count: number; mean: number }; negatives: { count: number; mean: number }; gap: number; rocAuc: number; histogram: ScoreHistogram } | null;
}

/** The diagnostics' steps, in order, as progress names them (at 500 000 documents they take a minute). */
export const DIAGNOSTIC_STEPS = ['clusters', 'silhouette and separation', 'neighbour coherence', 'uniformity, spread and rank', 'score distributions'] as const;
export type DiagnosticStep = (typeof DIAGNOSTIC_STEPS)[number];

/** Told as each step starts (`done` steps finished of `total`); awaited, so a caller can cancel between steps. */
export type DiagnosticStepListener = (step: DiagnosticStep, done: number, total: number) => void | Promise<void>;

export async function diagnoseEmbeddings(input: DiagnosticsInput, kernels: DiagnosticKernels, options: DiagnosticsOptions = {}, onStep?: DiagnosticStepListener): Promise<ModelDiagnostics> {
  const { dim, documents: unit } = input;
  const step = async (name: DiagnosticStep) => onStep?.(name, DIAGNOSTIC_STEPS.indexOf(name), DIAGNOSTIC_STEPS.length);
  const seed = options.seed ?? DIAGNOSTICS_SEED;
  const count = unit.length / dim;

  // k-means and the effective rank are fitted on one seeded sample (all documents up to the fit size).
  await step('clusters');
  const fitRows = seededSample(count, options.fitPoints ?? FIT_POINTS, seed);
  const fitted = float32Rows(fitRows.length === count ? unit : gatherRows(unit, dim, fitRows), dim);

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
    const clusters = sphericalKMeans(fitted, dim, k, seed);
    let labelOf = clusters.labelOf;
    if (fitRows.length < count) {
      // Every document to its most similar centroid (ties to the lower cluster, as in k-means itself).
      const nearest = await topKOverRows(kernels.topK, unit, Float32Array.from(clusters.centroids), dim, 1);
      labelOf = nearest.indices;
    }
    labelled = withLabels(unit, dim, labelOf, Array.from({ length: k }, (_, c) => `cluster ${c + 1}`));
    labelSource = { kind: 'k-means', k, seed, iterations: clusters.iterations, converged: clusters.converged, points: count, fittedOn: fitRows.length };
  }

  let structure = null;
  let coherence = null;
  if (labelled && labelled.sizes.filter((s) => s > 0).length >= 2) {
    await step('silhouette and separation');
    structure = await labelStructure(labelled, kernels, seed);
    await step('neighbour coherence');
    coherence = await neighborCoherence(labelled, kernels, COHERENCE_K, seed);
  }

  await step('uniformity, spread and rank');
  const uniformityRows = seededSample(count, UNIFORMITY_POINTS, seed);
  const uniformityVectors = float32Rows(uniformityRows.length === count ? unit : gatherRows(unit, dim, uniformityRows), dim);
  const spread = anisotropy(unit, dim);
  const uniformityValue = uniformity(uniformityVectors, dim);
  const { effectiveRank: rank } = effectiveRank(fitted, dim);

  await step('score distributions');
  const { queries, relevant, rankings } = input;
  const pairs = relevant ? relevantPairs(relevant) : null;
  const corpus = queries && relevant && rankings ? corpusScores(queries, unit, dim, rankings, relevant, { seed }) : null;
  const hardNegatives = queries && pairs?.length && rankings && relevant ? hardNegativeScores(queries, unit, dim, pairs, rankings, relevant) : null;

  let alignmentValue = null;
  if (queries && pairs?.length) {
    alignmentValue = alignment(gatherRows(queries, dim, evenEntries(pairs, 0)), float32Rows(gatherRows(unit, dim, evenEntries(pairs, 1)), dim), dim);
  }
  let triplets = null;
  if (queries && input.triplets?.length) {
    triplets = tripletAccuracy(
      input.triplets.map((t) => rowDot(queries, t.query, unit, t.positive, dim)),
      input.triplets.map((t) => rowDot(queries, t.query, unit, t.negative, dim)),
    );
  }

  return {
    silhouette: structure?.silhouette.score ?? null,
    silhouettePerLabel: structure?.silhouette.perLabel ?? null,
    'neighborCoherence@10': coherence?.mean ?? null,
    separationRatio: structure?.separationRatio ?? null,
    daviesBouldin: labelled && structure ? daviesBouldin(labelled) : null,
    alignment: alignmentValue,
    uniformity: uniformityValue,
    anisotropy: spread.meanPairwiseCosine,
    effectiveRank: rank,
    health: input.documentHealth,
    scoreGap: corpus?.gap ?? null,
    rocAuc: corpus?.rocAuc ?? null,
    hardNegativeRocAuc: hardNegatives?.rocAuc ?? null,
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
      effectiveRank: { points: fitRows.length, sampleSeed: fitRows.length < count ? seed : null },
      queryHealth: input.queryHealth ?? null,
      corpusScores: corpus,
      hardNegatives,
    },
  };
}

function distinctLabels(labels: readonly (string | undefined)[]): string[] {
  return [...new Set(labels.filter((l): l is string => l !== undefined))];
}

/** Flat (query row, document row) pairs of every relevant judgment. */
function relevantPairs(relevant: RelevantDocuments): Int32Array {
  const pairs = new Int32Array(2 * relevant.docs.length);
  for (let i = 0; i < relevant.queryRows.length; i++) {
    for (let j = relevant.offsets[i]; j < relevant.offsets[i + 1]; j++) {
      pairs[2 * j] = relevant.queryRows[i];
      pairs[2 * j + 1] = relevant.docs[j];
    }
  }
  return pairs;
}

/** Relevant documents against the non-relevant documents of each evaluated query's ranked list. */
function hardNegativeScores(queries: Float32Array, unit: DocumentRows, dim: number, pairs: Int32Array, rankings: Rankings, relevant: RelevantDocuments): ModelDiagnostics['details']['hardNegatives'] {
  const negatives: number[] = [];
  let depth = 0;
  for (let i = 0; i < relevant.queryRows.length; i++) {
    const q = relevant.queryRows[i];
    const isRelevant = new Set(relevant.docs.subarray(relevant.offsets[i], relevant.offsets[i + 1]));
    const end = Math.min(rankings.offsets[q + 1], rankings.offsets[q] + HARD_NEGATIVE_DEPTH);
    depth = Math.max(depth, end - rankings.offsets[q]);
    for (let p = rankings.offsets[q]; p < end; p++) {
      const d = rankings.docs[p];
      if (d >= 0 && !isRelevant.has(d)) negatives.push(rowDot(queries, q, unit, d, dim));
    }
  }
  if (negatives.length === 0) return null;
  const positives = Float64Array.from({ length: pairs.length / 2 }, (_, p) => rowDot(queries, pairs[2 * p], unit, pairs[2 * p + 1], dim));
  const distribution = scoreDistribution(positives, negatives);
  return { depth, ...distribution, histogram: scoreHistogram(positives, negatives) };
}

function evenEntries(pairs: Int32Array, offset: 0 | 1): Int32Array {
  return Int32Array.from({ length: pairs.length / 2 }, (_, p) => pairs[2 * p + offset]);
}
