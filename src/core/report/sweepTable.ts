import type { PairedComparison } from '../metrics/stats.ts';

export const PRECISIONS = ['float32', 'float16', 'int8', 'binary'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** One cell of the sweep, as the report's `sweep` array holds it. */
export interface SweepCell {
  model: string;
  dims: number;
  precision: Precision;
  /** The rescoring multiplier m, or null for the quantized ranking as it is. */
  rescore: number | null;
  /** The model's weights: `fp32`, or a variant (`quantized`: int8, `fp16`) encoded as a checkpoint of its own. */
  weights: string;
  /** For a weights variant: cosine of each text's embedding to the fp32 model's (documents and queries). */
  cosineToFull?: { min: number; mean: number };
  /** For a weights variant encoded in this run: its encoding speed, texts per second. */
  textsPerSecond?: number;
  bytesPerVector: number;
  /** Bytes of the document index at this size and precision. */
  indexBytes: number;
  /** Milliseconds per query of the CPU scorer at this precision (one thread; queries quantized inside). */
  queryMs: number;
  metrics: Record<string, number>;
  /** Against the same checkpoint at full size and float32: delta, bootstrap CI, Holm-corrected p. */
  comparison: Record<string, PairedComparison>;
}


/** One row of the sweep as the terminal, the Markdown report and the page show it. */
export interface SweepRow {
  cell: SweepCell;
  /** The chosen metric's value, its delta against the model at full size and float32, and that delta's CI. */
  value: number;
  delta: number;
  ci95: [number, number];
  /** The interval that agrees with `pHolm` (Holm over the metrics compared together), and the raw p. */
  ciHolm: [number, number];
  p: number;
  pHolm: number;
  /** On the Pareto front over every model: no other cell is at least as good with fewer bytes per vector. */
  pareto: boolean;
  /** "int8 + rescore ×4", "binary", "float32". */
  label: string;
}

function precisionLabel(cell: Pick<SweepCell, 'precision' | 'rescore' | 'weights'>): string {
  const vectors = cell.rescore === null ? cell.precision : `${cell.precision} + rescore ×${cell.rescore}`;
  return cell.weights === 'fp32' ? vectors : `${vectors}, ${cell.weights === 'quantized' ? 'int8' : cell.weights} weights`;
}

/**
 * The sweep read on one metric: rows in the report's order, each marked when it is on the quality/size Pareto
 * front — the cells worth choosing among, whichever model they belong to.
 */
export function sweepRows(cells: readonly SweepCell[], metric: string): SweepRow[] {
  const value = (c: SweepCell) => c.metrics[metric] ?? NaN;
  return cells.map((cell) => {
    const v = value(cell);
    const dominated = cells.some((other) => other !== cell && other.bytesPerVector <= cell.bytesPerVector && value(other) >= v && (other.bytesPerVector < cell.bytesPerVector || value(other) > v));
    const comparison = cell.comparison[metric];
    return {
      cell,
      value: v,
      delta: comparison?.delta ?? NaN,
      ci95: comparison?.ci95 ?? [NaN, NaN],
      ciHolm: comparison?.ciHolm ?? [NaN, NaN],
      p: comparison?.p ?? NaN,
      pHolm: comparison?.pHolm ?? NaN,
      pareto: Number.isFinite(v) && !dominated,
      label: precisionLabel(cell),
    };
  });
}

/** One sentence per weights variant: how close its embeddings are to fp32's, and how fast it encoded. */
export function weightsSentences(cells: readonly SweepCell[]): string[] {
  return cells
    .filter((c) => c.weights !== 'fp32' && c.cosineToFull)
    .map(
      (c) =>
        `${c.weights === 'quantized' ? 'int8' : c.weights} weights of ${c.model}: cosine to the fp32 embeddings min ${c.cosineToFull!.min.toFixed(5)}, mean ${c.cosineToFull!.mean.toFixed(5)} over every document and query` +
        (c.textsPerSecond ? `; encoded at ${c.textsPerSecond.toFixed(1)} texts/s` : '; taken from the embedding cache') +
        '.',
    );
}

/** Bytes as people read them: 1.5 kB, 7.6 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
