import { normalizeRows } from './normalize.ts';

/**
 * The first `dims` components of each row, renormalised: sentence-transformers' `truncate_dim`
 * (Matryoshka) scored by cosine. A new array; the full rows are left as they are.
 */
export function truncateRows(rows: Float32Array, dim: number, dims: number): Float32Array {
  if (!Number.isInteger(dims) || dims < 1 || dims > dim) throw new RangeError(`truncate: ${dims} dimensions of ${dim}`);
  const count = rows.length / dim;
  const out = new Float32Array(count * dims);
  for (let r = 0; r < count; r++) out.set(rows.subarray(r * dim, r * dim + dims), r * dims);
  normalizeRows(out, dims);
  return out;
}
