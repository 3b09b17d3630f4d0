import type { Rankings } from '../metrics/rankings.ts';
import { blockRows, isHalfRows, rowsBlock, type DocumentRows } from '../vectors/documentRows.ts';
import type { VectorParity } from '../report/evalReport.ts';

export type { VectorParity } from '../report/evalReport.ts';

/** The tolerance of the verdict: what the lab itself holds against sentence-transformers. */
export const PARITY_TOLERANCE = 1e-4;

interface Side {
  name: string;
  documents: DocumentRows;
  queries: Float32Array;
  dim: number;
  rankings: Rankings;
}

/** Parity of `b` against `a`, both as unit rows in dataset order. */
export function vectorParity(a: Side, b: Side): VectorParity {
  let min = Infinity;
  let sum = 0;
  let maxAbsDelta = 0;
  let rows = 0;
  const compare = (x: Float32Array, y: Float32Array) => {
    for (let base = 0; base < x.length; base += a.dim) {
      let dot = 0;
      for (let j = 0; j < a.dim; j++) {
        dot += x[base + j] * y[base + j];
        maxAbsDelta = Math.max(maxAbsDelta, Math.abs(x[base + j] - y[base + j]));
      }
      min = Math.min(min, dot);
      sum += dot;
      rows++;
    }
  };
  // float16 documents (on either side) are decoded a block at a time, beside the same rows of the other.
  const count = a.documents.length / a.dim;
  const size = blockRows(a.dim);
  const scratch = (rows: DocumentRows) => (isHalfRows(rows) ? new Float32Array(Math.min(size, count) * a.dim) : undefined);
  const [scratchA, scratchB] = [scratch(a.documents), scratch(b.documents)];
  for (let start = 0; start < count; start += size) {
    const end = Math.min(count, start + size);
    compare(rowsBlock(a.documents, a.dim, start, end, scratchA), rowsBlock(b.documents, a.dim, start, end, scratchB));
  }
  compare(a.queries, b.queries);
  let overlap = 0;
  const queryCount = a.rankings.offsets.length - 1;
  for (let q = 0; q < queryCount; q++) {
    const top = (r: Rankings) => r.docs.subarray(r.offsets[q], Math.min(r.offsets[q + 1], r.offsets[q] + 10));
    const mine = new Set(top(a.rankings));
    const theirs = top(b.rankings);
    let shared = 0;
    for (const doc of theirs) if (mine.has(doc)) shared++;
    overlap += Math.max(mine.size, theirs.length) ? shared / Math.max(mine.size, theirs.length) : 1;
  }
  return {
    a: a.name,
    b: b.name,
    rows,
    cosine: { min: rows ? min : NaN, mean: rows ? sum / rows : NaN },
    maxAbsDelta,
    top10Overlap: queryCount ? overlap / queryCount : NaN,
    reproduces: maxAbsDelta <= PARITY_TOLERANCE,
  };
}
