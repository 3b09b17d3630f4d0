import { float16Table } from './float16.ts';
import { normalizeRows } from './normalize.ts';

/**
 * float16 rows kept as their 16-bit patterns — half the memory of float32 — until a block of them is used.
 * Normalising records each row's inverse norm instead of rewriting the rows; a block is then decoded as
 * `fround(value × inverse)`, exactly what normalising widened rows in place would have stored, so every
 * consumer sees the same unit rows, bit for bit, whichever way they are kept.
 */
export interface HalfRows {
  readonly half: Uint16Array;
  /** Values in all (rows × dim), as a Float32Array's length would be. */
  readonly length: number;
  /** Set by {@link normalizeDocumentRows}; null while the rows are as produced. */
  inverseNorms: Float64Array | null;
}

/** A checkpoint's document rows: float32, or float16 kept as such ({@link HalfRows}). */
export type DocumentRows = Float32Array | HalfRows;

export function halfRows(half: Uint16Array): HalfRows {
  return { half, length: half.length, inverseNorms: null };
}

export function isHalfRows(rows: DocumentRows): rows is HalfRows {
  return !(rows instanceof Float32Array);
}

/**
 * Rows of a document tile in the top-k kernels (onnxruntime's Gemm + TopK graph; the JavaScript twin's
 * blocks divide it). A kernel may score a tile holding a NaN row another way (onnxruntime's leaves such
 * tiles to the JavaScript twin), so blocks are made of whole tiles: ranked block by block, every tile is the
 * one the kernel would have scored over all rows at once.
 */
export const DOCUMENT_TILE = 32_768;

/** Rows a block holds when float16 rows are decoded a block at a time: whole tiles, at most 64 MB of float32 (48 MB at 384 dimensions) unless one tile is more. */
export function blockRows(dim: number): number {
  return DOCUMENT_TILE * Math.max(1, Math.floor(2 ** 24 / dim / DOCUMENT_TILE));
}

/**
 * Rows `[start, end)` as float32: a view of float32 rows (no copy); float16 rows decoded — as unit rows once
 * normalised — into `into` when given (it must hold them) or into a new array.
 */
export function rowsBlock(rows: DocumentRows, dim: number, start: number, end: number, into?: Float32Array): Float32Array {
  if (!isHalfRows(rows)) return rows.subarray(start * dim, end * dim);
  const out = into ? into.subarray(0, (end - start) * dim) : new Float32Array((end - start) * dim);
  const table = float16Table();
  const { half, inverseNorms } = rows;
  for (let r = start, at = 0; r < end; r++) {
    const base = r * dim;
    if (inverseNorms) {
      const inverse = inverseNorms[r];
      for (let j = 0; j < dim; j++) out[at++] = table[half[base + j]] * inverse;
    } else {
      for (let j = 0; j < dim; j++) out[at++] = table[half[base + j]];
    }
  }
  return out;
}

/**
 * Every row, a block at a time, in order: `visit(block, firstRow)`. float32 rows come as one view; float16
 * rows are decoded into one reused block, so a visitor must not keep it.
 */
export function forEachBlock(rows: DocumentRows, dim: number, visit: (block: Float32Array, firstRow: number) => void, size = blockRows(dim)): void {
  const count = rows.length / dim;
  if (!isHalfRows(rows)) {
    visit(rows, 0);
    return;
  }
  const scratch = borrowBlock(Math.min(size, count) * dim);
  try {
    for (let start = 0; start < count; start += size) visit(rowsBlock(rows, dim, start, Math.min(count, start + size), scratch), start);
  } finally {
    spareBlock = scratch;
  }
}

// One decoded block kept between passes: the scans run one after another, and a fresh block (48 MB) for each
// pass is garbage the collector may take back late (the page's peak grew by it). A nested pass borrows its own.
let spareBlock: Float32Array | null = null;

function borrowBlock(length: number): Float32Array {
  const block = spareBlock && spareBlock.length >= length ? spareBlock : new Float32Array(length);
  spareBlock = null;
  return block;
}

/** Copies of the given rows, in the given order, kept the way `rows` are (inverse norms carried along). */
export function gatherRows<R extends DocumentRows>(rows: R, dim: number, indices: Int32Array): R {
  if (!isHalfRows(rows)) {
    const out = new Float32Array(indices.length * dim);
    indices.forEach((row, i) => out.set(rows.subarray(row * dim, (row + 1) * dim), i * dim));
    return out as R;
  }
  const half = new Uint16Array(indices.length * dim);
  indices.forEach((row, i) => half.set(rows.half.subarray(row * dim, (row + 1) * dim), i * dim));
  const gathered = halfRows(half);
  if (rows.inverseNorms) gathered.inverseNorms = Float64Array.from(indices, (row) => rows.inverseNorms![row]);
  return gathered as R;
}

/** All rows as float32: the rows themselves when they are float32, else a decoded copy (for small sets). */
export function float32Rows(rows: DocumentRows, dim: number): Float32Array {
  return isHalfRows(rows) ? rowsBlock(rows, dim, 0, rows.length / dim) : rows;
}

/**
 * L2-normalises each row like `torch.nn.functional.normalize` (eps 1e-12; a zero row stays zero): float32
 * rows in place, float16 rows by recording each row's inverse norm (summed in float64 over the widened
 * values, in the same order, so the decoded rows equal float32 ones normalised in place).
 */
export function normalizeDocumentRows(rows: DocumentRows, dim: number): void {
  if (!isHalfRows(rows)) {
    normalizeRows(rows, dim);
    return;
  }
  const table = float16Table();
  const count = rows.length / dim;
  const inverseNorms = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    let sum = 0;
    for (let j = r * dim; j < (r + 1) * dim; j++) {
      const v = table[rows.half[j]];
      sum += v * v;
    }
    inverseNorms[r] = 1 / Math.max(Math.sqrt(sum), 1e-12);
  }
  rows.inverseNorms = inverseNorms;
}

