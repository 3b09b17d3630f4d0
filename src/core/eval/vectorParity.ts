import { blockRows, isHalfRows, rowsBlock, type DocumentRows } from '../vectors/documentRows.ts';
import { cosineSummary, maxAbsDifference, rowCosines } from '../vectors/rowCosines.ts';
import type { VectorParity } from '../report/evalReport.ts';
import type { Rankings } from '../data/rankings.ts';

export type { VectorParity } from '../report/evalReport.ts';

/** The tolerance of the verdict: what the lab itself holds against sentence-transformers. */
const PARITY_TOLERANCE = 1e-4;

interface Side {
  name: string;
  documents: DocumentRows;
  queries: Float32Array;
  dim: number;
  rankings: Rankings;
}

/** Parity of `b` against `a`, both as unit rows in dataset order. */
export function vectorParity(a: Side, b: Side): VectorParity {
  // Per-row cosines of each block (8 bytes a row), summarised once in row order at the end.
  const cosines: Float64Array[] = [];
  let maxAbsDelta = 0;
  const compare = (x: Float32Array, y: Float32Array) => {
    cosines.push(rowCosines(x, y, a.dim, { unitRows: true }));
    maxAbsDelta = Math.max(maxAbsDelta, maxAbsDifference(x, y));
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
  const rows = cosines.reduce((sum, part) => sum + part.length, 0);
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
    cosine: cosineSummary(...cosines),
    maxAbsDelta,
    top10Overlap: queryCount ? overlap / queryCount : NaN,
    reproduces: maxAbsDelta <= PARITY_TOLERANCE,
  };
}
