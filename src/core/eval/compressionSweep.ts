/**
 * What compression costs on this data: each checkpoint's own vectors truncated (Matryoshka) and quantized
 * (float16, int8, binary — with and without rescoring), ranked by a CPU scorer at that precision, scored,
 * and compared with the checkpoint at full size and precision. Nothing is encoded again.
 */
import { hammingTopK } from '../kernels/quantized/hammingTopK.ts';
import { int8TopK } from '../kernels/quantized/int8TopK.ts';
import { bitRescorer, int8Rescorer, rescoreTopK } from '../kernels/quantized/rescore.ts';
import { topKCpuSync } from '../kernels/topk/topk.cpu.ts';
import type { TopKResult } from '../kernels/topk/topk.types.ts';
import { rankingsFromTopK } from '../metrics/rankings.ts';
import type { Evaluation } from '../metrics/registry.ts';
import { scoreRankings, type ScoringContext } from './scoreRankings.ts';
import type { WeightVariant } from './weightVariants.ts';
import { compareModels, type StatsOptions } from '../metrics/stats.ts';
import { packSignBits } from '../vectors/binaryQuantization.ts';
import { fromFloat16Array, toFloat16Array } from '../vectors/float16.ts';
import { calibrateInt8, quantizeInt8 } from '../vectors/int8Quantization.ts';
import { cosineSummary, rowCosines } from '../vectors/rowCosines.ts';
import { truncateRows } from '../vectors/truncate.ts';
import { PRECISIONS, type Precision, type SweepCell } from '../report/sweepTable.ts';

/**
 * The sweep asked for: dimensions, precisions, the rescoring multiplier m (candidates k × m), and weight
 * variants (`quantized`, `fp16`) each model is encoded with besides fp32 (the shells add those checkpoints).
 */
export interface SweepSpec {
  dims: number[];
  precisions: Precision[];
  rescore: number;
  weights: WeightVariant[];
}

const WEIGHT_VARIANTS = ['fp32', 'fp16', 'quantized'] as const;

/**
 * A weights variant's cell: the variant's vectors at full size and float32 against its fp32 original's, text
 * by text (cosine) and on every metric.
 */
export function weightsCell(
  input: { model: string; weights: string; dim: number; docCount: number; full: Evaluation; variant: Evaluation; metricKeys: readonly string[]; stats: Required<StatsOptions> },
  original: { documents: Float32Array; queries: Float32Array },
  variant: { documents: Float32Array; queries: Float32Array },
  speed: { encoded: number; seconds: number },
): SweepCell {
  return {
    model: input.model,
    dims: input.dim,
    precision: 'float32',
    rescore: null,
    weights: input.weights,
    cosineToFull: cosineSummary(rowCosines(original.documents, variant.documents, input.dim), rowCosines(original.queries, variant.queries, input.dim)),
    ...(speed.encoded > 0 && speed.seconds > 0 ? { textsPerSecond: speed.encoded / speed.seconds } : {}),
    bytesPerVector: bytesPerVector(input.dim, 'float32'),
    indexBytes: bytesPerVector(input.dim, 'float32') * input.docCount,
    queryMs: NaN,
    metrics: input.variant.metrics,
    comparison: compareModels(input.full.perQuery, input.variant.perQuery, input.metricKeys, input.stats),
  };
}

export const DEFAULT_RESCORE = 4;

export interface SweepInput {
  model: string;
  /** Unit rows, as the comparison holds them. */
  documents: Float32Array;
  queries: Float32Array;
  dim: number;
  /** Results per query (the comparison's depth). */
  depth: number;
  /** Judgments, mode and metrics: each cell is scored as the checkpoint itself was. */
  scoring: ScoringContext;
  stats: Required<StatsOptions>;
  /** The checkpoint's own evaluation at full size and float32: the reference row. */
  full: Evaluation;
}

export function bytesPerVector(dims: number, precision: Precision): number {
  switch (precision) {
    case 'float32':
      return 4 * dims;
    case 'float16':
      return 2 * dims;
    case 'int8':
      return dims;
    case 'binary':
      return Math.ceil(dims / 8);
  }
}

/** Every cell of `spec` for one checkpoint: dims × precision (int8 and binary once plain, once rescored). */
export function sweepCheckpoint(input: SweepInput, spec: SweepSpec): SweepCell[] {
  const { dim, depth } = input;
  const docCount = input.documents.length / dim;
  const queryCount = input.queries.length / dim;
  const cells: SweepCell[] = [];
  // No sizes given: the full size, at each precision asked for.
  for (const dims of spec.dims.length ? spec.dims : [dim]) {
    if (dims > dim) continue;
    const documents = dims === dim ? input.documents : truncateRows(input.documents, dim, dims);
    const queries = dims === dim ? input.queries : truncateRows(input.queries, dim, dims);
    for (const precision of spec.precisions) {
      const variants: { rescore: number | null; rank: () => TopKResult }[] = [];
      if (precision === 'float32') {
        variants.push({ rescore: null, rank: () => topKCpuSync({ queries, docs: documents, dim: dims, k: depth }) });
      } else if (precision === 'float16') {
        const docs16 = fromFloat16Array(toFloat16Array(documents));
        variants.push({ rescore: null, rank: () => topKCpuSync({ queries: fromFloat16Array(toFloat16Array(queries)), docs: docs16, dim: dims, k: depth }) });
      } else if (precision === 'int8') {
        const ranges = calibrateInt8(documents, dims);
        const docs8 = quantizeInt8(documents, dims, ranges);
        const search = (k: number) => int8TopK(quantizeInt8(queries, dims, ranges), docs8, dims, k);
        variants.push({ rescore: null, rank: () => search(depth) });
        variants.push({ rescore: spec.rescore, rank: () => rescoreTopK(search(depth * spec.rescore), depth, int8Rescorer(queries, docs8, dims)) });
      } else {
        const bits = packSignBits(documents, dims);
        const search = (k: number) => hammingTopK(packSignBits(queries, dims), bits, k);
        variants.push({ rescore: null, rank: () => search(depth) });
        variants.push({ rescore: spec.rescore, rank: () => rescoreTopK(search(depth * spec.rescore), depth, bitRescorer(queries, bits, dims)) });
      }
      for (const { rescore, rank } of variants) {
        const started = performance.now();
        const ranked = rank();
        const queryMs = queryCount ? (performance.now() - started) / queryCount : 0;
        // The full-size float32 cell is the comparison's own evaluation (the kernel it ranked with), timed here.
        const evaluation = dims === dim && precision === 'float32' ? input.full : evaluateRanked(ranked, input);
        const size = bytesPerVector(dims, precision);
        cells.push({
          model: input.model,
          dims,
          precision,
          rescore,
          weights: 'fp32',
          bytesPerVector: size,
          indexBytes: size * docCount,
          queryMs,
          metrics: evaluation.metrics,
          comparison: compareModels(input.full.perQuery, evaluation.perQuery, input.scoring.metricKeys, input.stats),
        });
      }
    }
  }
  return cells;
}

function evaluateRanked(ranked: TopKResult, input: SweepInput): Evaluation {
  return scoreRankings(rankingsFromTopK(ranked), input.scoring).evaluation;
}

/** Reads `dims=384,256,128` and `precision=float32,int8` (the CLI's --sweep values) into a spec. */
export function parseSweep(values: readonly string[], rescore = DEFAULT_RESCORE): SweepSpec {
  const spec: SweepSpec = { dims: [], precisions: [], rescore, weights: [] };
  for (const value of values) {
    const match = /^(dims|precision|weights)=(.+)$/.exec(value.trim());
    if (!match) throw new RangeError(`--sweep takes dims=384,256,…, precision=float32,float16,int8,binary or weights=fp32,quantized,fp16; got "${value}"`);
    const items = match[2].split(',').map((s) => s.trim()).filter(Boolean);
    if (match[1] === 'dims') {
      for (const item of items) {
        const n = Number(item);
        if (!Number.isInteger(n) || n < 1) throw new RangeError(`--sweep dims: "${item}" is not a positive integer`);
        spec.dims.push(n);
      }
    } else if (match[1] === 'weights') {
      for (const item of items) {
        if (!(WEIGHT_VARIANTS as readonly string[]).includes(item)) throw new RangeError(`--sweep weights: "${item}" is not one of ${WEIGHT_VARIANTS.join(', ')} (quantized: int8, made here when the folder has none)`);
        if (item !== 'fp32') spec.weights.push(item as WeightVariant);
      }
    } else {
      for (const item of items) {
        if (!(PRECISIONS as readonly string[]).includes(item)) throw new RangeError(`--sweep precision: "${item}" is not one of ${PRECISIONS.join(', ')}`);
        spec.precisions.push(item as Precision);
      }
    }
  }
  if (!Number.isInteger(rescore) || rescore < 1) throw new RangeError(`--rescore must be a positive integer, got ${rescore}`);
  // The full-size float32 cell at least: the reference every other cell is read against.
  if (spec.precisions.length === 0) spec.precisions.push('float32');
  return spec;
}
